// Test classes whose data rows are the runtime's internal kernel and schema enums must be internal themselves
// (a public method cannot take an internal type); this lets MSTest find them.
[assembly: DiscoverInternals]
