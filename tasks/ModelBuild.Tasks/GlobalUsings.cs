// ImplicitUsings is off: its System.Threading.Tasks would make MSBuild's Task ambiguous.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using System.Threading;
