"""Hostile flag values and paths given to the linnet command: one line on stderr naming the flag, never a
traceback, never a silent wrong result (found by fuzzing the command line)."""

import os
import stat
import threading

import pytest

from linnet import cli


@pytest.fixture(scope="module")
def line_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("line")
    assert cli.main(["demo", "line", "--out", str(out), "--quiet", "--no-plots"]) == 0
    return out / "model.linnet"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_predict_output_into_a_pipe_writes_into_it_and_keeps_the_pipe(tmp_path, line_model, capsys):
    """--output /dev/stdout, /dev/full or a FIFO was replaced by a regular file (the atomic write renamed its temporary
    over the device; as root, /dev/full became a file and the command said 'Wrote 2 predictions')."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    assert cli.main(["predict", str(line_model), "--x", "1", "2", "--output", str(fifo)]) == 0
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith("predicted_") and len(received[0].splitlines()) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left beside it
