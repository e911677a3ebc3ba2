package ai.pulsemind.evaluate.report;

import java.util.List;

/**
 * The report's HTML: one self-contained page (an inline style sheet, no scripts, no external resources) whose
 * images are the PNG files beside it. Every piece of text goes through {@link #escape}.
 */
final class Html {
    private Html() {}

    private static final String STYLE = """
            body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;max-width:1100px;margin:2em auto;padding:0 1.5em;line-height:1.45}
            h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
            .subtitle{color:#555;margin-top:0}
            .keys{display:flex;flex-wrap:wrap;gap:1em;margin:1.5em 0}
            .key{border:1px solid #d0d7de;border-radius:6px;padding:.8em 1.1em;min-width:12em;background:#f8fafc}
            .key .label{font-size:.85em;color:#555}.key .value{font-size:2em;font-weight:bold;color:#1f3b63}.key .detail{font-size:.85em;color:#444}
            table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{text-align:left;font-weight:bold;padding-bottom:.4em}
            th,td{border-bottom:1px solid #e1e4e8;padding:.3em .7em;text-align:left;vertical-align:top}th{background:#f1f3f5}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#444;max-width:900px}
            footer{margin-top:3em;font-size:.8em;color:#555;border-top:1px solid #ccc;padding-top:.5em}
            """;

    static String page(Report r) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(r.title())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<header>\n<h1>").append(escape(r.title())).append("</h1>\n");
        if (!r.subtitle().isBlank()) h.append("<p class=\"subtitle\">").append(escape(r.subtitle())).append("</p>\n");
        h.append("</header>\n");
        if (!r.keyNumbers().isEmpty()) {
            h.append("<section class=\"keys\">\n");
            for (KeyNumber k : r.keyNumbers()) {
                h.append("<div class=\"key\"><div class=\"label\">").append(escape(k.label())).append("</div>")
                        .append("<div class=\"value\">").append(escape(k.value())).append("</div>");
                if (!k.detail().isBlank()) h.append("<div class=\"detail\">").append(escape(k.detail())).append("</div>");
                h.append("</div>\n");
            }
            h.append("</section>\n");
        }
        for (Report.Section s : r.sections()) {
            h.append("<section id=\"").append(escape(Report.slug(s.title()))).append("\">\n<h2>").append(escape(s.title())).append("</h2>\n");
            for (Report.Block b : s.blocks()) {
                switch (b) {
                    case Report.Paragraph p -> h.append("<p>").append(escape(p.text())).append("</p>\n");
                    case Report.TableBlock t -> table(h, t.table());
                    case Report.ChartBlock c -> figure(h, c.chart());
                }
            }
            h.append("</section>\n");
        }
        if (!r.footnotes().isEmpty()) {
            h.append("<footer>\n");
            for (String f : r.footnotes()) h.append("<p>").append(escape(f)).append("</p>\n");
            h.append("</footer>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    private static void table(StringBuilder h, Table t) {
        h.append("<table>\n");
        if (!t.caption().isBlank()) h.append("<caption>").append(escape(t.caption())).append("</caption>\n");
        h.append("<thead><tr>");
        List<Boolean> num = t.numeric();
        for (int c = 0; c < t.columns().size(); c++)
            h.append(num.get(c) ? "<th class=\"num\">" : "<th>").append(escape(t.columns().get(c))).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : t.rows()) {
            h.append("<tr>");
            for (int c = 0; c < row.size(); c++) h.append(num.get(c) ? "<td class=\"num\">" : "<td>").append(escape(row.get(c))).append("</td>");
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static void figure(StringBuilder h, Chart c) {
        h.append("<figure>\n<img src=\"").append(escape(c.fileName())).append("\" width=\"").append(c.width())
                .append("\" height=\"").append(c.height()).append("\" alt=\"").append(escape(c.caption())).append("\">\n")
                .append("<figcaption>").append(escape(c.caption())).append("</figcaption>\n</figure>\n");
    }

    /**
     * Text as HTML character data or a quoted attribute value: {@code & < > " '} as references, and control
     * characters that HTML forbids (all C0 but tab, newline and carriage return; U+007F–U+009F) and unpaired
     * surrogates dropped.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(ch).append(s.charAt(++i));
                    } else if (Character.isSurrogate(ch)) {
                        // unpaired: not a character
                    } else if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || (ch >= 0x7f && ch <= 0x9f)) {
                        // forbidden in HTML text
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
