package dev.denoise.client.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * report.json, and report.html: the settings, a row per run and per class, the model versions that
 * made the images, and PNG charts saved beside it.
 */
public final class LoadReport {
    /** How the runs were set up; a rate of 0 means as fast as possible. */
    public record Setup(int seedsPerRun, RequestedModel model, Mix mix, long mixSeed, List<Double> rates, int timeoutSeconds) {}

    static final String KNEE_PNG = "latency-vs-throughput.png";
    public static final String THROUGHPUT_PNG = "throughput-over-time.png";

    private LoadReport() {}

    public static void write(Path dir, List<LoadTest.Result> runs, Setup setup) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json(runs, setup));
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>denoise load test</title>"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
                + "td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}"
                + "table.settings th,table.settings td,.name{text-align:left}</style></head><body><h1>denoise load test</h1>");
        settingsTable(html, setup);
        runsTable(html, runs);
        servedByTable(html, runs);
        if (setup.mix().classes().size() > 1) {
            classesTable(html, runs);
        }
        if (runs.size() > 1) {
            LoadCharts.savePng(LoadCharts.latencyVersusThroughput(runs), dir.resolve(KNEE_PNG));
            html.append("<h2>Latency versus throughput</h2>").append(img(KNEE_PNG, "p50 and p99 latency against achieved images/s"));
        }
        LoadCharts.savePng(LoadCharts.throughputOverTime(runs), dir.resolve(THROUGHPUT_PNG));
        html.append("<h2>Throughput over time</h2>").append(img(THROUGHPUT_PNG, "images received per second"));
        html.append("<h2>Latency by percentile</h2>");
        for (int i = 0; i < runs.size(); i++) {
            String png = percentilesPng(i);
            LoadCharts.savePng(LoadCharts.percentiles(runs.get(i)), dir.resolve(png));
            html.append(img(png, "latency percentile distribution, " + rateLabel(runs.get(i))));
        }
        Files.writeString(dir.resolve("report.html"), html.append("</body></html>").toString());
    }

    static String percentilesPng(int run) {
        return "latency-percentiles-run" + (run + 1) + ".png";
    }

    /** The request rate as typed ({@code 10}, {@code 12.5}), or {@code max}. */
    public static String rate(LoadTest.Result r) {
        return r.requestRate() > 0 ? plain(r.requestRate()) : "max";
    }

    static String rateLabel(LoadTest.Result r) {
        return r.requestRate() > 0 ? plain(r.requestRate()) + " req/s" : "as fast as possible";
    }

    private static void settingsTable(StringBuilder html, Setup setup) {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("model asked for", setup.model().label());
        rows.put("seeds per run", Integer.toString(setup.seedsPerRun()));
        List<Mix.RequestClass> classes = setup.mix().classes();
        for (int i = 0; i < classes.size(); i++) {
            Mix.RequestClass c = classes.get(i);
            String what = c.steps() + " steps, " + c.seedsPerRequest() + " seeds a request";
            rows.put(classes.size() > 1 ? "class " + (i + 1) : "requests",
                    classes.size() > 1 ? what + ", " + percent(c.share()) + " of requests" : what);
        }
        if (classes.size() > 1) {
            rows.put("class draw seed", setup.mixSeed() + " (java.util.SplittableRandom)");
        }
        rows.put("request rates", setup.rates().stream()
                .map(r -> r > 0 ? plain(r) + " req/s" : "as fast as possible").collect(Collectors.joining(", ")));
        rows.put("timeout", setup.timeoutSeconds() + " s per run");
        html.append("<h2>Settings</h2><table class=\"settings\">");
        rows.forEach((key, value) -> html.append("<tr><th>").append(escape(key)).append("</th><td>").append(escape(value)).append("</td></tr>"));
        html.append("</table>");
    }

    private static void runsTable(StringBuilder html, List<LoadTest.Result> runs) {
        html.append("<h2>Runs</h2><table><tr><th>rate (req/s)</th><th>images</th><th>missing</th><th>duplicates</th>"
                + "<th>images/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>failures</th></tr>");
        for (LoadTest.Result r : runs) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td>%s<td>%s</td></tr>",
                    rate(r), r.received(), r.missing(), r.duplicates(), r.imagesPerSecond(), latencyCells(r.latency()),
                    escape(r.failures().isEmpty() ? "none" : r.failures().entrySet().stream()
                            .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")))));
        }
        html.append("</table>");
    }

    /** What served, from the images themselves: the model asked for may differ, and a new version may take over mid-run. */
    private static void servedByTable(StringBuilder html, List<LoadTest.Result> runs) {
        html.append("<h2>Served by</h2><table><tr><th>rate (req/s)</th><th class=\"name\">model</th><th>version</th><th>images</th></tr>");
        for (LoadTest.Result r : runs) {
            if (r.servedBy().isEmpty()) {
                html.append("<tr><td>").append(rate(r)).append("</td><td class=\"name\">no images</td><td></td><td>0</td></tr>");
            }
            for (ServedVersion v : r.servedBy()) {
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"name\">%s</td><td>%d</td><td>%d</td></tr>",
                        rate(r), escape(v.model()), v.version(), v.images()));
            }
        }
        html.append("</table>");
    }

    private static void classesTable(StringBuilder html, List<LoadTest.Result> runs) {
        html.append("<h2>Per class</h2><table><tr><th>rate (req/s)</th><th class=\"name\">class</th><th>requests</th><th>images</th>"
                + "<th>missing</th><th>images/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        for (LoadTest.Result r : runs) {
            for (LoadTest.ClassResult c : r.classes()) {
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"name\">%s</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td>%s</tr>",
                        rate(r), escape(c.requestClass().label()), c.requests(), c.received(), c.missing(), c.imagesPerSecond(),
                        latencyCells(c.latency())));
            }
        }
        html.append("</table>");
    }

    private static String latencyCells(Latency l) {
        return String.format(Locale.ROOT, "<td>%d</td><td>%d</td><td>%d</td><td>%d</td>", l.p50(), l.p90(), l.p99(), l.max());
    }

    private static String img(String png, String alt) {
        return String.format(Locale.ROOT, "<p><img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"%s\"></p>",
                png, LoadCharts.WIDTH, LoadCharts.HEIGHT, escape(alt));
    }

    private static Map<String, Object> json(List<LoadTest.Result> runs, Setup setup) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", setup.model().name());
        json.put("pinnedVersion", setup.model().pinnedVersion());
        json.put("seedsPerRun", setup.seedsPerRun());
        List<Mix.RequestClass> classes = setup.mix().classes();
        if (classes.size() == 1) { // the fields of reports from before --mix
            json.put("steps", classes.get(0).steps());
            json.put("seedsPerRequest", classes.get(0).seedsPerRequest());
        }
        json.put("mix", classes.stream().map(LoadReport::classSpec).toList());
        json.put("mixSeed", setup.mixSeed());
        json.put("rates", setup.rates().stream().map(r -> r > 0 ? (Object) r : "max").toList());
        json.put("timeoutSeconds", setup.timeoutSeconds());
        json.put("runs", runs.stream().map(LoadReport::runJson).toList());
        return json;
    }

    private static Map<String, Object> runJson(LoadTest.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestsPerSecond", r.requestRate() > 0 ? r.requestRate() : "max");
        m.put("seeds", r.seeds());
        m.put("imagesReceived", r.received());
        m.put("missing", r.missing());
        m.put("duplicates", r.duplicates());
        m.put("degraded", r.degraded());
        m.put("failuresByReason", r.failures());
        m.put("imagesPerSecond", r.imagesPerSecond());
        m.put("latencyMs", latencyJson(r.latency()));
        m.put("timeline", r.timeline().stream().map(t -> Map.of("second", t[0], "images", t[1], "p50Ms", t[2])).toList());
        m.put("classes", r.classes().stream().map(LoadReport::classJson).toList());
        m.put("servedBy", r.servedBy().stream().map(LoadReport::servedJson).toList());
        return m;
    }

    private static Map<String, Object> servedJson(ServedVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", v.model());
        m.put("version", v.version());
        m.put("images", v.images());
        return m;
    }

    private static Map<String, Object> classSpec(Mix.RequestClass c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", c.steps());
        m.put("seedsPerRequest", c.seedsPerRequest());
        m.put("share", c.share());
        return m;
    }

    private static Map<String, Object> classJson(LoadTest.ClassResult c) {
        Map<String, Object> m = classSpec(c.requestClass());
        m.put("requests", c.requests());
        m.put("seeds", c.seeds());
        m.put("imagesReceived", c.received());
        m.put("missing", c.missing());
        m.put("imagesPerSecond", c.imagesPerSecond());
        m.put("latencyMs", latencyJson(c.latency()));
        m.put("latencyPercentiles", c.latency().distribution().stream()
                .map(p -> Map.of("percentile", p.percentile(), "ms", p.ms())).toList());
        return m;
    }

    private static Map<String, Long> latencyJson(Latency l) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("p50", l.p50());
        m.put("p90", l.p90());
        m.put("p99", l.p99());
        m.put("max", l.max());
        return m;
    }

    private static String percent(double share) {
        return BigDecimal.valueOf(share).movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }

    /** 10 rather than 10.0, 12.5 as it is. */
    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
