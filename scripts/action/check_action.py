#!/usr/bin/env python3
"""Checks action.yml as the GitHub runner reads it (scripts/action/lint.sh runs this):

- it parses as YAML (PyYAML; GitHub refuses to load an action that does not);
- no description holds `${{`: GitHub evaluates expressions even in descriptions;
- every input is used by a step, and every `inputs.X` a step uses is declared;
- every output's value is `${{ steps.ID.outputs.NAME }}` of a step that exists;
- every step that runs a command says its shell; step ids are unique;
- every workflow step that uses `./` gives only declared inputs, and all required ones.

With --workflow-out FILE it also writes the action's steps as a workflow (inputs as
`workflow_call` inputs), so that actionlint can check the steps' expressions too.
Prints one line per problem; exits 1 when there is any.
"""
import argparse
import glob
import os
import re
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)


def walk(value):
    """Every string in a YAML value."""
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    elif isinstance(value, str):
        yield value


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", default=".")
    p.add_argument("--workflow-out")
    args = p.parse_args()
    problems = []
    path = os.path.join(args.root, "action.yml")
    try:
        with open(path) as f:
            action = yaml.safe_load(f)
    except yaml.YAMLError as e:
        print(f"{path}: not valid YAML (GitHub cannot load the action): {e}")
        return 1

    inputs = action.get("inputs") or {}
    outputs = action.get("outputs") or {}
    steps = (action.get("runs") or {}).get("steps") or []
    if (action.get("runs") or {}).get("using") != "composite":
        problems.append("runs.using is not composite")

    described = [("action", action)] + [(f"input {k}", v) for k, v in inputs.items()] + [
        (f"output {k}", v) for k, v in outputs.items()
    ]
    for what, spec in described:
        text = str((spec or {}).get("description", ""))
        if not text.strip():
            problems.append(f"{what} has no description")
        if "${{" in text:
            problems.append(f"{what}: the description holds an expression, which GitHub evaluates")

    ids = [s.get("id") for s in steps if s.get("id")]
    for i in sorted(set(i for i in ids if ids.count(i) > 1)):
        problems.append(f"step id {i} is used twice")
    used = set()
    for n, step in enumerate(steps):
        name = step.get("name", f"step {n + 1}")
        if "run" in step and not step.get("shell"):
            problems.append(f"{name}: a run step needs a shell in a composite action")
        if "run" not in step and "uses" not in step:
            problems.append(f"{name}: neither run nor uses")
        for text in walk(step):
            for expr in EXPR.findall(text):
                for m in re.finditer(r"\binputs\.([A-Za-z0-9_-]+)", expr):
                    used.add(m.group(1))
                    if m.group(1) not in inputs:
                        problems.append(f"{name}: uses inputs.{m.group(1)}, which is not declared")
                for m in re.finditer(r"\bsteps\.([A-Za-z0-9_-]+)\.", expr):
                    before = [s.get("id") for s in steps[:n]]
                    if m.group(1) not in before:
                        problems.append(f"{name}: refers to step {m.group(1)}, which does not run before it")
    for k in inputs:
        if k not in used:
            problems.append(f"input {k} is declared but no step uses it")

    for k, spec in outputs.items():
        value = str((spec or {}).get("value", ""))
        m = re.fullmatch(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}", value)
        if not m:
            problems.append(f"output {k}: value {value!r} is not one step's output")
        elif m.group(1) not in ids:
            problems.append(f"output {k}: step {m.group(1)} does not exist")

    required = {k for k, v in inputs.items() if (v or {}).get("required") and "default" not in v}
    workflows = sorted(glob.glob(os.path.join(args.root, ".github/workflows/*.yml")))
    for wf in workflows:
        with open(wf) as f:
            doc = yaml.safe_load(f)
        for job_name, job in (doc.get("jobs") or {}).items():
            for step in job.get("steps") or []:
                if str(step.get("uses", "")).strip() not in ("./", "."):
                    continue
                given = set((step.get("with") or {}).keys())
                for k in sorted(given - set(inputs)):
                    problems.append(f"{wf}: job {job_name} gives `uses: ./` the undeclared input {k}")
                for k in sorted(required - given):
                    problems.append(f"{wf}: job {job_name} does not give the required input {k}")

    if args.workflow_out:
        # The action's steps as one job of a reusable workflow: the same expressions,
        # checkable by actionlint (which reads workflows, not action metadata).
        workflow = {
            "name": "action.yml steps",
            "on": {
                "workflow_call": {
                    "inputs": {
                        k: {"type": "string", "required": False, "default": ""} for k in inputs
                    }
                }
            },
            "jobs": {
                "action": {
                    "runs-on": "ubuntu-latest",
                    "steps": [
                        {k: v for k, v in s.items()}
                        for s in steps
                    ],
                }
            },
        }
        with open(args.workflow_out, "w") as f:
            yaml.safe_dump(workflow, f, sort_keys=False)

    for p_ in problems:
        print(f"action.yml: {p_}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
