#!/usr/bin/env bash
# Render a reachdiff pull-request comment (GitHub-flavoured Markdown) to a PNG
# that looks like the comment does on GitHub, e.g. for the README screenshot
# docs/images/pr-comment.png.
#
# Usage: scripts/render-comment.sh COMMENT.md OUT.png
#
#   COMMENT.md  Markdown as written by `reachdiff ... --format markdown=FILE`
#   OUT.png     where to write the full-page screenshot
#
# Example (regenerates the README picture):
#   target/debug/reachdiff plan testdata/scenarios/demo/plan.json \
#       --format markdown=/tmp/demo-comment.md
#   scripts/render-comment.sh /tmp/demo-comment.md docs/images/pr-comment.png
#
# How: in a fresh temporary directory (never inside the repo) it npm-installs
# pinned versions of marked (GFM -> HTML), mermaid (draws ```mermaid blocks
# as SVG in the page), github-markdown-css (GitHub's light "markdown-body"
# styles) and playwright-core (drives the system Chromium). It renders the
# Markdown to an HTML page the way GitHub shows a PR comment (880 px wide
# comment box with a "github-actions bot commented" header, soft line breaks
# kept as in comments, ```diff lines coloured red/green with GitHub's
# pl-md/pl-mi1 classes, the first two <details> opened in the HTML only so the
# picture shows a finding's details), loads it from file://, waits until
# mermaid has drawn every diagram and the fonts are loaded, and saves a
# full-page PNG at device scale factor 1. Nothing is fetched at render time.
#
# Needs:
#   - chromium (Debian: apt-get install -y chromium; /usr/bin/chromium,
#     override with CHROMIUM=/path/to/chrome)
#   - node >= 20 and npm, with the npm registry (or a warm ~/.npm cache)
#   - fonts for a GitHub-like look: fonts-noto-core (Noto Sans),
#     fonts-liberation (Liberation Mono), fonts-noto-color-emoji (the emoji
#     risk badges), e.g. apt-get install -y fonts-noto-core fonts-liberation
#     fonts-noto-color-emoji
#
# Environment:
#   CHROMIUM            browser binary (default /usr/bin/chromium)
#   KEEP_WORKDIR=1      keep the temporary directory (page.html) for debugging
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 COMMENT.md OUT.png" >&2
    exit 2
fi

in_md=$(realpath -e -- "$1")
out_png=$(realpath -m -- "$2")
chromium_bin=${CHROMIUM:-/usr/bin/chromium}

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 1; }
done
[[ -x $chromium_bin ]] || {
    echo "error: $chromium_bin not found (apt-get install -y chromium, or set CHROMIUM)" >&2
    exit 1
}
mkdir -p -- "$(dirname -- "$out_png")"

work=$(mktemp -d "${TMPDIR:-/tmp}/render-comment.XXXXXX")
cleanup() {
    if [[ ${KEEP_WORKDIR:-0} == 1 ]]; then
        echo "kept work dir: $work" >&2
    else
        rm -rf -- "$work"
    fi
}
trap cleanup EXIT

cd "$work"
cat >package.json <<'JSON'
{
  "name": "render-comment",
  "private": true,
  "type": "module",
  "dependencies": {
    "github-markdown-css": "5.9.0",
    "marked": "18.2.1",
    "mermaid": "11.17.2",
    "playwright-core": "1.65.1"
  }
}
JSON
# playwright-core is only the driver: it never downloads a browser itself.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund \
    --prefer-offline --loglevel=error >npm.log 2>&1 || {
    cat npm.log >&2
    echo "error: npm install failed" >&2
    exit 1
}

# --- Markdown -> HTML page --------------------------------------------------
cat >build-page.mjs <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { Marked } from 'marked';

const [, , inPath, outPath] = process.argv;
const md = readFileSync(inPath, 'utf8');

const esc = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// GitHub's diff grammar: "-" lines -> pl-md, "+" lines -> pl-mi1, "@@" hunk
// headers -> pl-mdr, "---"/"+++" file headers bold; the rest stays plain.
function diffLine(line) {
  if (/^(---|\+\+\+)( |$)/.test(line)) {
    const cls = line.startsWith('-') ? 'pl-md' : 'pl-mi1';
    return `<span class="${cls}"><span class="pl-mb">${esc(line)}</span></span>`;
  }
  if (line.startsWith('@@')) return `<span class="pl-mdr">${esc(line)}</span>`;
  if (line.startsWith('-'))
    return `<span class="pl-md"><span class="pl-md">-</span>${esc(line.slice(1))}</span>`;
  if (line.startsWith('+'))
    return `<span class="pl-mi1"><span class="pl-mi1">+</span>${esc(line.slice(1))}</span>`;
  return esc(line);
}

const marked = new Marked({
  gfm: true,
  breaks: true, // issue and PR comments keep single newlines as line breaks
  renderer: {
    code({ text, lang }) {
      const language = (lang || '').trim().split(/\s+/)[0].toLowerCase();
      if (language === 'mermaid') {
        return `<section class="mermaid-box"><pre class="mermaid">${esc(text)}</pre></section>\n`;
      }
      if (language === 'diff' || language === 'patch') {
        const body = text.split('\n').map(diffLine).join('\n');
        return `<div class="highlight highlight-source-diff notranslate position-relative overflow-auto" dir="auto"><pre>${body}</pre></div>\n`;
      }
      const cls = language ? ` class="language-${esc(language)}"` : '';
      return `<pre><code${cls}>${esc(text)}</code></pre>\n`;
    },
  },
});

let html = marked.parse(md);

// Open the first two <details> (the first two findings) in the page only.
let opened = 0;
html = html.replace(/<details(?=[\s>])/gi, (m) => (opened++ < 2 ? `${m} open` : m));

const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>reachdiff PR comment</title>
<link rel="stylesheet" href="node_modules/github-markdown-css/github-markdown-light.css">
<style>
  html, body { margin: 0; background: #ffffff; }
  body { padding: 16px; }
  .timeline-comment {
    box-sizing: border-box;
    width: 100%;
    border: 1px solid #d1d9e0;
    border-radius: 6px;
    background: #ffffff;
    font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  }
  .timeline-comment-header {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 8px 16px;
    font-size: 14px;
    line-height: 20px;
    color: #59636e;
    background: #f6f8fa;
    border-bottom: 1px solid #d1d9e0;
    border-radius: 6px 6px 0 0;
  }
  .timeline-comment-header .author { font-weight: 600; color: #1f2328; }
  .timeline-comment-header .bot-label {
    font-size: 12px; font-weight: 500; line-height: 18px;
    padding: 0 7px; border: 1px solid #d1d9e0; border-radius: 2em; color: #59636e;
  }
  .markdown-body { padding: 16px; background: transparent; }
  /* GitHub draws mermaid blocks centred, in the default (light) theme. */
  .markdown-body .mermaid-box { margin-bottom: 16px; text-align: center; }
  .markdown-body pre.mermaid {
    background: transparent; padding: 0; margin: 0; overflow: visible;
    font-family: inherit; line-height: normal;
  }
  .markdown-body pre.mermaid > svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<div class="timeline-comment">
  <div class="timeline-comment-header">
    <span class="author">github-actions</span><span class="bot-label">bot</span><span>commented</span>
  </div>
  <div class="markdown-body">
${html}
  </div>
</div>
<script src="node_modules/mermaid/dist/mermaid.min.js"></script>
<script>
  (async () => {
    try {
      mermaid.initialize({
        startOnLoad: false,
        theme: 'default',
        deterministicIds: true,
        securityLevel: 'strict',
      });
      await mermaid.run({ querySelector: 'pre.mermaid' });
      await document.fonts.ready;
      document.body.dataset.rendered = 'ok';
    } catch (e) {
      document.body.dataset.rendered = 'error';
      document.body.dataset.error = String((e && e.message) || e);
    }
  })();
</script>
</body>
</html>
`;
writeFileSync(outPath, page);
console.error(`page: opened ${Math.min(opened, 2)} of ${opened} <details>`);
JS

# --- page -> PNG -------------------------------------------------------------
cat >shoot.mjs <<'JS'
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

const [, , pagePath, outPng, executablePath, workDir] = process.argv;
// A fresh, empty profile for every run.
const userDataDir = mkdtempSync(join(workDir, 'profile-'));

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 880, height: 900 },
  deviceScaleFactor: 1,
  colorScheme: 'light',
  locale: 'en-US',
  timezoneId: 'UTC',
  reducedMotion: 'reduce',
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // Offline by construction: refuse anything that is not a local file.
  await page.route(/^(?!file:|data:|blob:|about:)/, (route) => route.abort());
  await page.goto(pathToFileURL(pagePath).href, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });
  const state = await page.evaluate(() => ({
    rendered: document.body.dataset.rendered,
    error: document.body.dataset.error || '',
    blocks: document.querySelectorAll('pre.mermaid').length,
    svgs: document.querySelectorAll('pre.mermaid > svg').length,
  }));
  if (state.rendered !== 'ok' || state.svgs !== state.blocks) {
    throw new Error(`mermaid did not render (${state.svgs}/${state.blocks} diagrams): ${state.error}`);
  }
  // Let layout settle after the SVGs are inserted.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: outPng, fullPage: true, animations: 'disabled', caret: 'hide' });
  console.error(`screenshot: ${outPng} (${state.svgs} mermaid diagram(s))`);
} finally {
  await context.close();
}
JS

node build-page.mjs "$in_md" "$work/page.html"
node shoot.mjs "$work/page.html" "$out_png" "$chromium_bin" "$work"
