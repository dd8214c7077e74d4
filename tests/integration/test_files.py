"""The file server inside a real master, through `yard files` and raw HTTP: an upload cut off
half-way leaves nothing visible, and a code folder sent twice moves no bytes the second time."""

import json
import os
import socket

from harness import ClusterTest, wait_until


class FileServerTest(ClusterTest):
    def raw_put(self, path, declared, sent):
        """A PUT that declares `declared` bytes, sends `sent` of them and hangs up."""
        with socket.create_connection(("127.0.0.1", self.cluster.port), timeout=10) as s:
            s.sendall((f"PUT /v1/files/paths/{path} HTTP/1.1\r\nHost: x\r\n"
                       f"Content-Length: {declared}\r\n\r\n").encode() + b"x" * sent)

    def ls(self, prefix):
        res = self.cluster.yard("files", "ls", prefix, "--json", check=False)
        return json.loads(res.stdout) if res.returncode == 0 else None

    def test_an_interrupted_upload_leaves_nothing_visible(self):
        c = self.cluster
        old = os.path.join(c.dir, "old.bin")
        with open(old, "wb") as f:
            f.write(b"old content")
        c.yard("files", "put", old, "ckpt/model.pt")
        self.raw_put("ckpt/model.pt", 4_000_000, 1_000_000)
        self.raw_put("ckpt/fresh.pt", 4_000_000, 2_000_000)
        # The master notices the closed connections on its own threads and drops the partial
        # files from its temporary folder.
        tmp = os.path.join(c.dir, "master", "files", "tmp")
        wait_until(lambda: not os.path.isdir(tmp) or not os.listdir(tmp),
                   what="the partial uploads to be cleaned up")
        listed = self.ls("ckpt")
        self.assertEqual([e["path"] for e in listed["entries"]], ["ckpt/model.pt"])
        self.assertEqual(listed["entries"][0]["size"], len(b"old content"))
        got = os.path.join(c.dir, "got.bin")
        c.yard("files", "get", "ckpt/model.pt", got)
        with open(got, "rb") as f:
            self.assertEqual(f.read(), b"old content")
        res = c.yard("files", "get", "ckpt/fresh.pt", got, check=False)
        self.assertEqual(res.returncode, 1)

    def test_a_code_folder_is_sent_once(self):
        c = self.cluster
        code = os.path.join(c.dir, "code")
        os.makedirs(code)
        for i in range(3):
            with open(os.path.join(code, f"part{i}.bin"), "wb") as f:
                f.write(os.urandom(200_000))
        spec = os.path.join(code, "spec.json")
        with open(spec, "w") as f:
            json.dump({"code": ".", "command": ["true"], "resources": {"gpus": 0}}, f)
        first = c.yard("submit", spec).stderr
        second = c.yard("submit", spec).stderr
        self.assertIn("4 files", first)  # part0..2 and spec.json
        self.assertNotIn("(0 B sent)", first)
        self.assertIn("(0 B sent)", second)
        listed = self.ls("code")
        self.assertEqual(len(listed["entries"]) + len(listed["dirs"]), 1, listed)


if __name__ == "__main__":
    import unittest
    unittest.main()
