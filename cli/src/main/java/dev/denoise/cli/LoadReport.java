package dev.denoise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.json and a self-contained report.html (inline SVG: throughput and p50 latency per second). */
final class LoadReport {
    private LoadReport() {}

    static void write(Path dir, List<LoadTest.Result> runs, Map<String, Object> setup) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>(setup);
        json.put("runs", runs.stream().map(LoadReport::asMap).toList());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json);
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>denoise load test</title>"
                + "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}</style></head><body>"
                + "<h1>denoise load test</h1><p>").append(escape(setup.toString())).append("</p><table><tr><th>rate (req/s)</th>"
                + "<th>images</th><th>missing</th><th>images/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        for (LoadTest.Result r : runs) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.1f</td><td>%d</td><td>%d</td>"
                    + "<td>%d</td><td>%d</td></tr>", rate(r), r.received(), r.missing(), r.imagesPerSecond(), r.p50(), r.p90(),
                    r.p99(), r.max()));
        }
        html.append("</table>");
        for (LoadTest.Result r : runs) {
            html.append("<h2>rate ").append(rate(r)).append("</h2>")
                    .append(chart(r.timeline(), 1, "images received per second", "#1f77b4"))
                    .append(chart(r.timeline(), 2, "p50 latency (ms) of the images received in that second", "#d62728"));
        }
        Files.writeString(dir.resolve("report.html"), html.append("</body></html>").toString());
    }

    static String rate(LoadTest.Result r) {
        return r.requestRate() > 0 ? String.format(Locale.ROOT, "%.0f", r.requestRate()) : "max";
    }

    private static Map<String, Object> asMap(LoadTest.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestsPerSecond", r.requestRate() > 0 ? r.requestRate() : "max");
        m.put("seeds", r.seeds());
        m.put("imagesReceived", r.received());
        m.put("missing", r.missing());
        m.put("duplicates", r.duplicates());
        m.put("failuresByReason", r.failures());
        m.put("imagesPerSecond", r.imagesPerSecond());
        m.put("latencyMs", Map.of("p50", r.p50(), "p90", r.p90(), "p99", r.p99(), "max", r.max()));
        m.put("timeline", r.timeline().stream().map(t -> Map.of("second", t[0], "images", t[1], "p50Ms", t[2])).toList());
        return m;
    }

    private static String chart(List<long[]> timeline, int column, String title, String colour) {
        int width = 600;
        int height = 160;
        long maxX = Math.max(1, timeline.stream().mapToLong(t -> t[0]).max().orElse(1));
        long maxY = Math.max(1, timeline.stream().mapToLong(t -> t[column]).max().orElse(1));
        StringBuilder points = new StringBuilder();
        for (long[] t : timeline) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", 40 + (width - 50) * t[0] / (double) maxX,
                    height - 20 - (height - 40) * t[column] / (double) maxY));
        }
        return String.format(Locale.ROOT, "<p>%s (max %d)</p><svg width=\"%d\" height=\"%d\" style=\"border:1px solid #ccc\">"
                + "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>"
                + "<text x=\"40\" y=\"%d\" font-size=\"11\">0 s</text><text x=\"%d\" y=\"%d\" font-size=\"11\">%d s</text></svg>",
                escape(title), maxY, width, height, colour, points, height - 5, width - 40, height - 5, maxX);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
