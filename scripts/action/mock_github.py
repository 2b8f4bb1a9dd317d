#!/usr/bin/env python3
"""A mock of the GitHub REST endpoints `reachdiff comment github` uses, and of release
downloads, for scripts/action/test.sh. Listens on 127.0.0.1 (a free port, written to
--port-file), keeps comments in memory and appends one line per request
("METHOD path") to --log. GET /OWNER/REPO/releases/download/TAG/FILE serves
--releases/TAG/FILE, without a token, as github.com serves a public release's assets.
"""
import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMENTS = []  # [{"id": int, "body": str}]
NEXT = [1000]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--releases", help="a directory of TAG/FILE release assets")
    args = p.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet
            pass

        def reply(self, status, value=None):
            data = b"" if value is None else json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            with open(args.log, "a") as log:
                log.write(f"{self.command} {self.path}\n")
            parts = self.path.split("?")[0].strip("/").split("/")
            # /OWNER/REPO/releases/download/TAG/FILE
            if (self.command == "GET" and args.releases and len(parts) == 6
                    and parts[2:4] == ["releases", "download"]
                    and all(p not in ("", ".", "..") for p in parts)):
                path = os.path.join(args.releases, parts[4], parts[5])
                if not os.path.isfile(path):
                    return self.reply(404, {"message": "Not Found"})
                with open(path, "rb") as f:
                    data = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if self.headers.get("Authorization") != f"Bearer {args.token}":
                return self.reply(401, {"message": "Bad credentials"})
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            route = self.path.split("?")[0]
            parts = route.strip("/").split("/")
            # /repos/o/r/issues/N/comments
            if len(parts) == 6 and parts[3] == "issues" and parts[5] == "comments":
                if self.command == "GET":
                    return self.reply(200, COMMENTS)
                if self.command == "POST":
                    NEXT[0] += 1
                    c = {"id": NEXT[0], "body": body["body"],
                         "html_url": f"https://github.test/pull/{parts[4]}#issuecomment-{NEXT[0]}"}
                    COMMENTS.append(c)
                    return self.reply(201, c)
            # /repos/o/r/issues/comments/ID
            if len(parts) == 6 and parts[3] == "issues" and parts[4] == "comments":
                for c in COMMENTS:
                    if str(c["id"]) == parts[5]:
                        if self.command == "PATCH":
                            c["body"] = body["body"]
                            return self.reply(200, c)
                        if self.command == "DELETE":
                            COMMENTS.remove(c)
                            return self.reply(204)
            return self.reply(404, {"message": "Not Found"})

        do_GET = do_POST = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
