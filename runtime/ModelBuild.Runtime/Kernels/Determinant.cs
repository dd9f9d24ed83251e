namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Determinants of a batch of square matrices by Gaussian elimination with partial pivoting (largest |pivot| in
/// the column, first one on ties; each row swap flips the sign), in double and rounded once to float. Scalar by
/// nature (every step depends on the pivot before), so one code path serves every ISA level.
/// </summary>
internal static class Determinant
{
    /// <summary>
    /// y[b] = det(x[b·m² .. (b+1)·m²)) for b &lt; y.Length, row-major m×m matrices; <paramref name="scratch"/> holds
    /// at least m² doubles (caller-owned). The determinant of a 0×0 matrix is 1.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> x, int m, Span<float> y, Span<double> scratch)
    {
        int size = m * m;
        if (x.Length < (long)y.Length * size || scratch.Length < size)
        {
            throw new ArgumentException("Determinant: spans too short for the given batch and size");
        }

        for (int b = 0; b < y.Length; b++)
        {
            var a = scratch[..size];
            for (int i = 0; i < size; i++)
            {
                a[i] = x[(b * size) + i];
            }

            y[b] = (float)Eliminate(a, m);
        }
    }

    private static double Eliminate(Span<double> a, int m)
    {
        double det = 1;
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < m; r++)
            {
                if (Math.Abs(a[(r * m) + col]) > Math.Abs(a[(pivot * m) + col]))
                {
                    pivot = r;
                }
            }

            double p = a[(pivot * m) + col];
            if (p == 0 || double.IsNaN(p))
            {
                return p; // singular (0), or NaN in the column: the determinant is that value
            }

            if (pivot != col)
            {
                for (int c = col; c < m; c++)
                {
                    (a[(col * m) + c], a[(pivot * m) + c]) = (a[(pivot * m) + c], a[(col * m) + c]);
                }

                det = -det;
            }

            det *= p;
            for (int r = col + 1; r < m; r++)
            {
                double f = a[(r * m) + col] / p;
                for (int c = col + 1; c < m; c++)
                {
                    a[(r * m) + c] -= f * a[(col * m) + c];
                }
            }
        }

        return det;
    }
}
