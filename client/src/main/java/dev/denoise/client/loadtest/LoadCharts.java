package dev.denoise.client.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The charts of report.html, drawn with JFreeChart and saved as PNG files beside it. */
final class LoadCharts {
    static final int WIDTH = 900;
    static final int HEIGHT = 420;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private LoadCharts() {}

    /** p50 and p99 latency against the throughput each rate achieved, in sweep order: where the knee is. */
    static JFreeChart latencyVersusThroughput(List<LoadTest.Result> runs) {
        XYSeries p50 = new XYSeries("p50", false);
        XYSeries p99 = new XYSeries("p99", false);
        for (LoadTest.Result run : runs) {
            p50.add(run.imagesPerSecond(), run.p50());
            p99.add(run.imagesPerSecond(), run.p99());
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Latency versus throughput, one point per request rate",
                "achieved throughput (images/s)", "latency (ms)", collection(p50, p99));
        XYLineAndShapeRenderer renderer = style(chart, true);
        renderer.setSeriesItemLabelGenerator(1, (dataset, series, item) -> LoadReport.rateLabel(runs.get(item)));
        renderer.setSeriesItemLabelsVisible(1, true);
        return chart;
    }

    /** Latency at each percentile of a run's images, a line per class, plus all images when the mix has several. */
    static JFreeChart percentiles(LoadTest.Result run) {
        List<XYSeries> lines = new ArrayList<>();
        for (LoadTest.ClassResult c : run.classes()) {
            lines.add(percentileLine(c.requestClass().label(), c.latency()));
        }
        if (run.classes().size() > 1) {
            lines.add(percentileLine("all images", run.latency()));
        }
        lines.removeIf(line -> line.getItemCount() == 0); // a class that received nothing
        // 99 % always shows; the room past the last point keeps the last tick's label inside the picture.
        double widest = 1.5 * Math.max(100, lines.stream().mapToDouble(XYSeries::getMaxX).max().orElse(0));
        JFreeChart chart = ChartFactory.createXYLineChart("Latency by percentile, " + LoadReport.rateLabel(run),
                null, "latency (ms)", collection(lines.toArray(XYSeries[]::new)));
        style(chart, false);
        PercentileAxis axis = new PercentileAxis();
        axis.setRange(1, widest);
        ((XYPlot) chart.getPlot()).setDomainAxis(axis);
        return chart;
    }

    /** Images received in each second of each run, a line per run. */
    static JFreeChart throughputOverTime(List<LoadTest.Result> runs) {
        XYSeriesCollection lines = new XYSeriesCollection();
        for (LoadTest.Result run : runs) {
            XYSeries line = new XYSeries(LoadReport.rateLabel(run), true, false);
            Map<Long, Long> images = new TreeMap<>();
            run.timeline().forEach(t -> images.put(t[0], t[1]));
            long last = images.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            for (long second = 0; second <= last; second++) { // a second without images is a zero, not a gap
                line.add(second, images.getOrDefault(second, 0L));
            }
            lines.addSeries(line);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Throughput over time, a line per request rate",
                "time since the run started (s)", "images received per second (images/s)", lines);
        style(chart, false);
        return chart;
    }

    static void savePng(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** A percentile p (0 to 100) sits at 1/(1-p) on a log axis, as HdrHistogram plots it; 100 % itself has no place. */
    private static XYSeries percentileLine(String name, Latency latency) {
        XYSeries line = new XYSeries(name, true, false);
        for (Latency.Percentile p : latency.distribution()) {
            if (p.percentile() < 100) {
                line.add(1 / (1 - p.percentile() / 100), p.ms());
            }
        }
        return line;
    }

    private static XYSeriesCollection collection(XYSeries... series) {
        XYSeriesCollection collection = new XYSeriesCollection();
        for (XYSeries s : series) {
            collection.addSeries(s);
        }
        return collection;
    }

    /** White plot, light grid, thicker lines and dark colours: the default theme's grey plot and pale yellow read poorly. */
    private static XYLineAndShapeRenderer style(JFreeChart chart, boolean points) {
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, points);
        renderer.setDefaultStroke(new BasicStroke(2f));
        renderer.setAutoPopulateSeriesStroke(false);
        for (int i = 0; i < PALETTE.length; i++) {
            renderer.setSeriesPaint(i, PALETTE[i]);
        }
        plot.setRenderer(renderer);
        return renderer;
    }

    /** A log axis of 1/(1-p) labelled with the percentiles 50 %, 90 %, 99 %, 99.9 % ... instead of powers of ten. */
    static final class PercentileAxis extends LogAxis {
        private static final long serialVersionUID = 1L;
        private static final String[] NINES = {"90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%"};

        PercentileAxis() {
            super("percentile (log scale of 1/(1-p))");
        }

        @Override
        protected List<ValueTick> refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            List<ValueTick> ticks = new ArrayList<>();
            ticks.add(tick(1, "0%"));
            ticks.add(tick(2, "50%"));
            double at = 10;
            for (String label : NINES) {
                if (at > getUpperBound() * 1.0001) {
                    break;
                }
                ticks.add(tick(at, label));
                at *= 10;
            }
            return ticks;
        }

        private static NumberTick tick(double at, String label) {
            return new NumberTick(TickType.MAJOR, at, label, TextAnchor.TOP_CENTER, TextAnchor.CENTER, 0);
        }
    }
}
