// Regenerate static/dashboard/plotly.css after upgrading plotly (run by hand; not a benchmark):
//   node bench/extract_plotly_css.js static/vendor/plotly.min.js > static/dashboard/plotly.css
// Plotly injects these rules in a <style> element, which the strict CSP (style-src 'self') blocks.
const fs = require("fs");
const src = fs.readFileSync(process.argv[2], "utf8");
const start = src.indexOf("I0e={") + 4;
let depth = 0, i = start, inStr = null;
for (; i < src.length; i++) {
  const c = src[i];
  if (inStr) { if (c === "\\") { i++; continue; } if (c === inStr) inStr = null; continue; }
  if (c === '"' || c === "'") { inStr = c; continue; }
  if (c === "{") depth++;
  if (c === "}") { depth--; if (depth === 0) break; }
}
const obj = eval("(" + src.slice(start, i + 1) + ")");


let out = "/* Plotly's own base styles, extracted from the bundled plotly.min.js so the strict CSP\n   (style-src 'self') need not allow the <style> element Plotly would inject. */\n";
for (const [sel, rule] of Object.entries(obj)) {
  out += sel.replace(/X/g, ".js-plotly-plot .plotly").replace(/Y/g, ".plotly-notifier") + "{" + rule + "}\n";
}
process.stdout.write(out);
