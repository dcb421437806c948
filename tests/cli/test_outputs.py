"""Where the linnet command writes (``cli.outputs``): a place it cannot write is refused before any reading or
training, in one line naming the flag."""

import os

import pytest

from linnet import cli

TOO_LONG = "n" * (os.pathconf("/", "PC_NAME_MAX") + 1) if hasattr(os, "pathconf") else "n" * 256
COMMANDS = [["demo", "line"], ["train", "{csv}", "--target", "y"], ["train", "{csv}", "--target", "y", "--stream",
                                                                      "--validation-split", "0"]]


def refused(capsys, tmp_path, command, *argv) -> str:
    """The one error line of ``command`` run on a small CSV file (``{csv}``) with ``argv``, which must print nothing
    else: no settings line, no progress, no result."""
    csv = tmp_path / "d.csv"
    csv.write_text("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n5,9.9\n")
    status = cli.main([a.replace("{csv}", str(csv)) for a in command] + list(argv) + ["--quiet", "--no-plots"])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", ["model.keras", "model.linnet", "run.H5"])
def test_an_out_named_like_a_model_file_is_refused(capsys, tmp_path, command, name):
    """--out model.keras trained and then made a folder model.keras holding model.linnet (exit 0): a model file
    name given where a folder is meant."""
    err = refused(capsys, tmp_path, command, "--out", str(tmp_path / name))
    assert "--out is the folder linnet writes model.linnet, metrics.json and the figures into" in err
    assert f"is named like a model file; give a folder (e.g. --out {tmp_path / name.split('.')[0]})" in err
    assert err.rstrip().endswith(f"Received: --out {tmp_path / name}")
    assert not (tmp_path / name).exists()


def test_an_existing_folder_named_like_a_model_file_is_still_an_out(capsys, tmp_path):
    (tmp_path / "run.keras").mkdir()
    assert cli.main(["demo", "line", "--out", str(tmp_path / "run.keras"), "--quiet", "--no-plots"]) == 0
    assert (tmp_path / "run.keras" / "model.linnet").is_file()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("taken", ["model.linnet", "metrics.json", "loss.png"])
def test_an_out_holding_a_folder_where_an_output_goes_is_refused_before_training(capsys, tmp_path, command, taken):
    """A folder out/model.linnet (left by an earlier --out out/model.linnet) was found after training: 'Cannot save
    the model to ...: it is a directory', naming no flag."""
    (tmp_path / "out" / taken).mkdir(parents=True)
    err = refused(capsys, tmp_path, command, "--out", str(tmp_path / "out"))
    assert f"--out {tmp_path / 'out'} holds a folder named {taken!r}, where linnet writes its {taken}" in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("out", [TOO_LONG, f"{TOO_LONG}/run", f"new/{TOO_LONG}"])
def test_an_out_whose_name_is_too_long_is_refused_before_training(capsys, tmp_path, command, out):
    """A folder name longer than the file system allows was found after training: '[Errno 36] File name too
    long', naming no flag (also below a folder still to be made, where the system says 'no such file' first)."""
    err = refused(capsys, tmp_path, command, "--out", str(tmp_path / out))
    assert f"--out must be a path linnet can make, but {str(tmp_path / out)!r} cannot be made: File name too " in err
    assert err.rstrip().endswith(f"Received: --out {tmp_path / out}")


@pytest.fixture(scope="module")
def line_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("line")
    assert cli.main(["demo", "line", "--out", str(out), "--quiet", "--no-plots"]) == 0
    return out / "model.linnet"


def unwritable_files(tmp_path):
    """Files that cannot be written, and why: a missing folder, a folder under /proc (which cannot be made), a file
    as a folder, a name too long."""
    (tmp_path / "a_file").write_text("")
    return [(tmp_path / "missing" / "p.csv", f"no folder {str(tmp_path / 'missing')!r}"),
            ("/proc/self/nonexistent/p.csv", "no folder '/proc/self/nonexistent'"),
            (tmp_path / "a_file" / "p.csv", f"{str(tmp_path / 'a_file')!r} is not a folder"),
            (tmp_path / TOO_LONG, "no file can be named so: File name too long")]


def test_predict_output_that_cannot_be_written_is_refused_before_reading(capsys, tmp_path):
    """--output in a missing folder was found only after the model and every --input row had been read (here the
    model does not exist: the old error was about the model)."""
    for path, reason in unwritable_files(tmp_path):
        status = cli.main(["predict", str(tmp_path / "no_model.linnet"), "--x", "1", "--output", str(path)])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1, err
        assert f"--output {path}: cannot write the predictions there ({reason}" in err, err
        assert err.rstrip().endswith(f"Received: --output {path}")


def test_predict_output_into_an_existing_folder_still_works(capsys, tmp_path, line_model):
    assert cli.main(["predict", str(line_model), "--x", "1", "--output", str(tmp_path / "p.csv")]) == 0
    assert (tmp_path / "p.csv").read_text().startswith("predicted_")


def test_datasets_export_names_its_destination_when_it_cannot_write(capsys, tmp_path):
    """linnet datasets export boston missing/b.csv printed '[Errno 2] No such file or directory: ...', and a folder
    as the destination named the temporary file."""
    for path, reason in [*unwritable_files(tmp_path), (tmp_path, "it is a folder")]:
        status = cli.main(["datasets", "export", "boston", str(path)])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1, err
        assert f"destination {path}: cannot write the data set there ({reason}" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]  # nothing written, no temporary left


@pytest.mark.parametrize("name", ["b.parquet", "b.NPZ", "b.pq"])
def test_datasets_export_refuses_a_destination_named_as_another_format(capsys, tmp_path, name):
    """linnet datasets export boston b.parquet wrote CSV text under that name, which 'linnet train b.parquet' then
    failed to read ('Parquet magic bytes not found')."""
    status = cli.main(["datasets", "export", "boston", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert status == 2 and "datasets export writes CSV, but" in err
    assert f"Received: destination {tmp_path / name}" in err
    assert list(tmp_path.iterdir()) == []
    assert cli.main(["datasets", "export", "boston", str(tmp_path / "b.tsv")]) == 0  # a text file linnet reads as CSV
