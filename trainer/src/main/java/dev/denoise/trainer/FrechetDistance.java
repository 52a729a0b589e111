package dev.denoise.trainer;

/**
 * The Fréchet distance between two sets of feature vectors, each summarised as a Gaussian
 * (Heusel et al., 2017): |μ₁ − μ₂|² + tr(C₁ + C₂ − 2·(C₁C₂)^½). Here the features are the digit
 * classifier's, not Inception's, so the numbers compare models of this project with each other and
 * with the distance between two real sets, not with published FIDs.
 */
final class FrechetDistance {

    private FrechetDistance() {
    }

    /** Rows are samples, columns features; both sets need the same number of columns. */
    static double between(double[][] a, double[][] b) {
        int d = a[0].length;
        double[] meanA = mean(a);
        double[] meanB = mean(b);
        double[][] covA = covariance(a, meanA);
        double[][] covB = covariance(b, meanB);
        double distance = 0;
        for (int i = 0; i < d; i++) {
            distance += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]) + covA[i][i] + covB[i][i];
        }
        return distance - 2 * traceOfSqrtProduct(covA, covB);
    }

    /**
     * tr((AB)^½) for symmetric positive semi-definite A and B: the eigenvalues of AB are those of
     * the symmetric A^½·B·A^½, so the trace is the sum of their square roots.
     */
    static double traceOfSqrtProduct(double[][] a, double[][] b) {
        double[][] rootA = symmetricSqrt(a);
        double[][] product = multiply(multiply(rootA, b), rootA);
        double trace = 0;
        for (double eigenvalue : Jacobi.eigen(product).values()) {
            trace += Math.sqrt(Math.max(0, eigenvalue));
        }
        return trace;
    }

    private static double[][] symmetricSqrt(double[][] m) {
        Jacobi.Eigen eigen = Jacobi.eigen(m);
        int d = m.length;
        double[][] root = new double[d][d];
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(Math.max(0, eigen.values()[k]));
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    root[i][j] += eigen.vectors()[i][k] * s * eigen.vectors()[j][k];
                }
            }
        }
        return root;
    }

    private static double[] mean(double[][] rows) {
        double[] mean = new double[rows[0].length];
        for (double[] row : rows) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += row[j] / rows.length;
            }
        }
        return mean;
    }

    private static double[][] covariance(double[][] rows, double[] mean) {
        int d = mean.length;
        double[][] cov = new double[d][d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                double di = row[i] - mean[i];
                for (int j = i; j < d; j++) {
                    cov[i][j] += di * (row[j] - mean[j]);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= rows.length - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return cov;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i][k];
                for (int j = 0; j < n; j++) {
                    c[i][j] += aik * b[k][j];
                }
            }
        }
        return c;
    }

    /** Cyclic Jacobi eigendecomposition of a symmetric matrix. */
    static final class Jacobi {
        record Eigen(double[] values, double[][] vectors) {}

        private Jacobi() {
        }

        static Eigen eigen(double[][] symmetric) {
            int n = symmetric.length;
            double[][] a = new double[n][];
            for (int i = 0; i < n; i++) {
                a[i] = symmetric[i].clone();
            }
            double[][] v = new double[n][n];
            for (int i = 0; i < n; i++) {
                v[i][i] = 1;
            }
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0;
                double total = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        total += a[i][j] * a[i][j];
                        if (i != j) {
                            off += a[i][j] * a[i][j];
                        }
                    }
                }
                if (off <= 1e-22 * total) {
                    break;
                }
                for (int p = 0; p < n - 1; p++) {
                    for (int q = p + 1; q < n; q++) {
                        if (Math.abs(a[p][q]) > 1e-300) {
                            rotate(a, v, p, q);
                        }
                    }
                }
            }
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = a[i][i];
            }
            return new Eigen(values, v);
        }

        /** Zeroes a[p][q] with one rotation (Golub and Van Loan's symmetric Schur decomposition). */
        private static void rotate(double[][] a, double[][] v, int p, int q) {
            double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
            double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
            if (theta == 0) {
                t = 1;
            }
            double c = 1 / Math.sqrt(t * t + 1);
            double s = t * c;
            int n = a.length;
            for (int k = 0; k < n; k++) {
                double akp = a[k][p];
                double akq = a[k][q];
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for (int k = 0; k < n; k++) {
                double apk = a[p][k];
                double aqk = a[q][k];
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for (int k = 0; k < n; k++) {
                double vkp = v[k][p];
                double vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
            }
        }
    }
}
