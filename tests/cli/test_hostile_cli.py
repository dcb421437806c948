"""Hostile flag values and paths given to the linnet command: one line on stderr naming the flag, never a
traceback, never a silent wrong result (found by fuzzing the command line)."""

import os
import re
import stat
import threading

import pytest

import linnet
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


def refused_by_parser(capsys, argv) -> str:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(("argv", "expected"), [
    # trained to the end, then 'Cannot save the model ... metadata.json: training.epochs must be an integer from 0 to
    # 9007199254740992' (streamed: ran ~1e23 epochs)
    (["--epochs", "99999999999999999999999"], "argument --epochs: must be at most 9007199254740992"),
    (["--batch-size", "99999999999999999999999"], "argument --batch-size: must be at most 9007199254740992"),
    (["--epochs", "nan"], "argument --epochs: must be positive (a whole number). Received: nan"),
    (["--shuffle-buffer", "-1"], "argument --shuffle-buffer: must be a whole number of rows >= 0. Received: -1"),
    (["--out", ""], "argument --out: must be a path, not an empty string"),  # wrote into the current folder
    (["--validation-data", ""], "argument --validation-data: must be a path"),  # validated on the current folder
])
def test_train_refuses_hostile_flag_values_by_name(capsys, tmp_path, monkeypatch, argv, expected):
    """Each of these ran with exit 0 (or failed only after training, naming no flag)."""
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n5,9.9\n6,12\n")
    assert expected in refused_by_parser(capsys, ["train", str(csv), "--target", "y", "--out", str(tmp_path / "o"),
                                                     "--epochs", "2", *argv])


@pytest.mark.parametrize("argv", [["train", "", "--target", "y"], ["ols", "", "--target", "y"], ["inspect", ""],
                                  ["predict", "", "--x", "1"], ["datasets", "export", "boston", ""]])
def test_an_empty_path_is_refused_not_read_as_the_current_folder(capsys, tmp_path, monkeypatch, argv):
    """linnet train '' --target y (an unset shell variable) read every data file of the current folder."""
    monkeypatch.chdir(tmp_path)
    assert "must be a path, not an empty string. Received: ''" in refused_by_parser(capsys, argv)


def test_validation_data_is_not_ignored_when_the_file_is_read_in_memory(capsys, tmp_path):
    """linnet train d.csv --validation-data v.csv trained in memory, validated on --validation-split's rows and
    never read v.csv (exit 0)."""
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n5,9.9\n6,12\n")
    status = cli.main(["train", str(csv), "--target", "y", "--validation-data", str(csv), "--out", str(tmp_path / "o"),
                       "--epochs", "2", "--quiet", "--no-plots"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "--validation-data is read when the file is streamed" in err and f"Received: --validation-data {csv}" in err


def test_an_output_in_a_missing_folder_is_named_not_its_temporary_file(tmp_path, capsys):
    """'[Errno 2] No such file or directory: '.../missing/.b.csv.14538.e1a71cbeb522.tmp'' named the temporary. The
    command now refuses the destination before writing (``cli.outputs``); the write itself still names the target."""
    from linnet.data import boston_housing
    target = tmp_path / "missing" / "b.csv"
    assert cli.main(["datasets", "export", "boston", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"linnet: error: destination {target}: ") and ".tmp" not in err
    with pytest.raises(FileNotFoundError) as raised:
        boston_housing.export_csv(target)
    assert str(raised.value) == f"[Errno 2] No such file or directory: '{target}'"


def test_a_column_a_second_file_lacks_is_named_with_that_file(tmp_path, capsys):
    """'Unknown column 'b'. Known column names: a, y.' did not say that the validation file lacked it."""
    train, validation = tmp_path / "t.csv", tmp_path / "v.csv"
    train.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{2 * i}\n" for i in range(20)))
    validation.write_text("a,y\n1,2\n2,4\n")
    argv = ["train", str(train), "--target", "y", "--stream", "--validation-data", str(validation), "--epochs", "1",
            "--out", str(tmp_path / "o"), "--quiet", "--no-plots"]
    assert cli.main(argv) == 2
    assert f"'{validation}': Unknown column 'b'" in capsys.readouterr().err


def test_running_out_of_memory_is_one_line_not_a_traceback(monkeypatch, capsys):
    def allocate(args):
        raise MemoryError("Unable to allocate 373. GiB for an array with shape (100000000000,)")
    monkeypatch.setitem(cli.main.__globals__["COMMANDS"], "ols", allocate)
    assert cli.main(["ols", "x.csv", "--target", "y"]) == 2
    assert capsys.readouterr().err == "linnet: error: out of memory: Unable to allocate 373. GiB for an array with " \
                                      "shape (100000000000,)\n"


@pytest.mark.parametrize("streamed", [[], ["--stream", "--normalize", "--validation-split", "0"]])
def test_a_column_beyond_float32_is_named_by_its_header(tmp_path, capsys, streamed):
    """'the variance of the columns of data at index (1,) is 6.7e+74' named neither the column nor the file's header
    (in memory, and streamed with --normalize, which adapts from the least-squares state)."""
    csv = tmp_path / "big.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i},{(i % 7) * 1e37:.3e},{2 * i}\n" for i in range(50)))
    assert cli.main(["train", str(csv), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "o"), "--quiet",
                     "--no-plots", *streamed]) == 2
    assert "linnet: error: the variance of column 'b' of the features is " in capsys.readouterr().err


def test_an_empty_validation_file_is_named(tmp_path, capsys):
    """'The evaluation data source yielded no batch' did not say which file was empty. The command now refuses the
    file before training, naming the flag (``cli.stream.validation_file``); ``fit`` given the empty source still
    names it."""
    from linnet.data.sources import CSVSource
    train, validation = tmp_path / "t.csv", tmp_path / "v.csv"
    train.write_text("a,y\n" + "".join(f"{i},{2 * i}\n" for i in range(20)))
    validation.write_text("a,y\n")
    assert cli.main(["train", str(train), "--target", "y", "--stream", "--validation-data", str(validation),
                     "--epochs", "1", "--out", str(tmp_path / "o"), "--quiet", "--no-plots"]) == 2
    assert f"--validation-data {validation}: the file holds no data rows" in capsys.readouterr().err
    model = linnet.Sequential([linnet.layers.Input((1,)), linnet.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=re.escape(f"The evaluation data source CSVSource('{validation}'")):
        model.fit(CSVSource(train, "y"), validation_data=CSVSource(validation, "y"), epochs=1, verbose=0)
