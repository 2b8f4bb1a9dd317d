#!/usr/bin/env python3
"""Runs the composite action in action.yml the way the GitHub runner does, for
scripts/action/test.sh: reads action.yml with a YAML parser, takes the inputs given
with --with (checked against the declared ones, defaults applied), evaluates each
step's `if:`, `env:` and `with:` expressions, runs the `run:` steps with bash as
`shell: bash` does, collects step outputs from $GITHUB_OUTPUT, and writes the action's
outputs (`outputs.*.value`) as NAME=VALUE lines to --outputs.

Only the expressions action.yml uses are understood (inputs.*, runner.*, github.*,
steps.*.outputs.*, string literals, ||, == and != and the status functions); anything
else is an error, so that a step this simulation cannot run is never skipped quietly.
The cache actions are simulated: restore hits when --cache-hit is given, save is
logged to --cache-log.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # test.sh installs PyYAML when it is missing
    sys.exit("runner.py needs PyYAML (pip install pyyaml)")

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Unsupported(Exception):
    pass


class Runner:
    def __init__(self, action_dir, given, cache_hit, cache_log):
        with open(os.path.join(action_dir, "action.yml")) as f:
            self.meta = yaml.safe_load(f)
        self.action_dir = os.path.abspath(action_dir)
        self.cache_hit = cache_hit
        self.cache_log = cache_log
        self.steps = {}
        self.status = "success"
        declared = self.meta.get("inputs") or {}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise Unsupported(f"inputs not declared in action.yml: {unknown}")
        self.inputs = {}
        for name, spec in declared.items():
            if name in given:
                self.inputs[name] = given[name]
            elif spec.get("required") and "default" not in spec:
                raise Unsupported(f"required input {name} not given")
            else:
                self.inputs[name] = self.expand(str(spec.get("default", "")))

    def atom(self, text):
        text = text.strip()
        if text.startswith("'") and text.endswith("'"):
            return text[1:-1].replace("''", "'")
        m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", text)
        if m:
            if m.group(1) not in self.inputs:
                raise Unsupported(f"undeclared input {m.group(1)}")
            return self.inputs[m.group(1)]
        m = re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", text)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        runner = {
            "runner.temp": os.environ["RUNNER_TEMP"],
            "runner.os": os.environ.get("RUNNER_OS", "Linux"),
            "runner.arch": os.environ.get("RUNNER_ARCH", "X64"),
            "github.token": os.environ.get("GITHUB_TOKEN", ""),
            "github.action_path": self.action_dir,
            "github.workspace": os.getcwd(),
        }
        if text in runner:
            return runner[text]
        raise Unsupported(text)

    def value(self, expr):
        for op, test in (("!=", lambda a, b: a != b), ("==", lambda a, b: a == b)):
            if op in expr:
                a, b = expr.split(op, 1)
                return test(self.atom(a).lower(), self.atom(b).lower())
        if expr.strip() in ("always()", "success()", "failure()", "cancelled()"):
            return {
                "always()": True,
                "success()": self.status == "success",
                "failure()": self.status == "failure",
                "cancelled()": False,
            }[expr.strip()]
        result = ""
        for part in expr.split("||"):
            result = self.atom(part)
            if result:
                break
        return result

    def expand(self, text):
        return EXPR.sub(lambda m: str(self.value(m.group(1))), text)

    def condition(self, cond):
        if cond is None:
            return self.status == "success"
        m = EXPR.fullmatch(str(cond).strip())
        expr = m.group(1) if m else str(cond)
        if not any(f in expr for f in ("always()", "failure()", "cancelled()")):
            if self.status != "success":
                return False
        return bool(self.value(expr))

    def run(self):
        code = 0
        for n, step in enumerate(self.meta["runs"]["steps"]):
            sid = step.get("id", f"__{n}")
            name = step.get("name", sid)
            if not self.condition(step.get("if")):
                print(f"runner.py: skipped: {name}", flush=True)
                continue
            print(f"runner.py: step: {name}", flush=True)
            if "uses" in step:
                self.steps[sid] = self.uses(step)
                continue
            if step.get("shell") != "bash":
                raise Unsupported(f"step {name}: shell {step.get('shell')!r}")
            env = dict(os.environ)
            env["GITHUB_ACTION_PATH"] = self.action_dir
            for k, v in (step.get("env") or {}).items():
                env[k] = self.expand(str(v))
            with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as script:
                script.write(self.expand(step["run"]))
            with tempfile.NamedTemporaryFile("r", delete=False) as out:
                env["GITHUB_OUTPUT"] = out.name
            try:
                rc = subprocess.call(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", script.name], env=env
                )
                with open(out.name) as f:
                    self.steps[sid] = parse_outputs(f.read())
            finally:
                os.unlink(script.name)
                os.unlink(out.name)
            if rc != 0:
                self.status = "failure"
                code = code or rc
        outputs = {
            name: self.expand(str(spec.get("value", "")))
            for name, spec in (self.meta.get("outputs") or {}).items()
        }
        return code, outputs

    def uses(self, step):
        uses = step["uses"]
        args = {k: self.expand(str(v)) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/cache/restore@"):
            if not args.get("key") or not args.get("path"):
                raise Unsupported("actions/cache/restore without key or path")
            log(self.cache_log, f"restore {args['key']} {args['path']}")
            return {"cache-hit": "true" if self.cache_hit else "", "cache-primary-key": args["key"]}
        if uses.startswith("actions/cache/save@"):
            if not args.get("key") or not args.get("path"):
                raise Unsupported("actions/cache/save without key or path")
            log(self.cache_log, f"save {args['key']} {args['path']}")
            return {}
        raise Unsupported(f"uses: {uses}")


def parse_outputs(text):
    """NAME=VALUE lines and NAME<<DELIMITER blocks, as the runner reads them."""
    out, lines = {}, text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


def log(path, line):
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--action", required=True, help="the directory holding action.yml")
    p.add_argument("--with", dest="given", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--outputs", required=True, help="where to write NAME=VALUE lines")
    p.add_argument("--cache-hit", action="store_true")
    p.add_argument("--cache-log")
    args = p.parse_args()
    given = dict(g.split("=", 1) for g in args.given)
    # Its own failures exit 3, never a status the action could give (0, 1, 2).
    try:
        code, outputs = Runner(args.action, given, args.cache_hit, args.cache_log).run()
    except Unsupported as e:
        print(f"runner.py: action.yml uses what this simulation cannot run: {e}", file=sys.stderr)
        sys.exit(3)
    except yaml.YAMLError as e:
        print(f"runner.py: action.yml is not valid YAML: {e}", file=sys.stderr)
        sys.exit(3)
    with open(args.outputs, "w") as f:
        for k, v in outputs.items():
            f.write(f"{k}={v}\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
