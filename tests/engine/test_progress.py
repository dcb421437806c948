import io

from linnet.engine.progress import Progbar, format_logs, format_time_per_step


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_number_formats_match_keras():
    assert format_logs({"loss": 252.49421, "val_loss": 303.85318}, 1) == " - loss: 252.4942 - val_loss: 303.8532"
    assert format_logs({"loss": 0.0005}, 1) == " - loss: 5.0000e-04"
    assert format_logs({"loss": -0.5}, 1) == " - loss: -0.5000"
    assert format_logs({"loss": -0.5}, 2) == " - loss: -5.0000e-01"  # verbose=2 tests the signed value
    assert [format_time_per_step(s) for s in (1.5, 0.019, 0.00035, 0)] == \
        [" 2s/step", " 19ms/step", " 350us/step", " 0s/step"]


def test_pipe_gets_one_plain_line_per_epoch():
    stream = io.StringIO()
    bar = Progbar(18, verbose=1, stream=stream)
    bar.update(5, {"loss": 1.0})
    bar.update(18, {"loss": 232.59374, "val_loss": 284.66122}, finalize=True)
    assert stream.getvalue().startswith("18/18 ━━━━━━━━━━━━━━━━━━━━ 0s ")
    assert "\x1b" not in stream.getvalue() and "\b" not in stream.getvalue()
    assert stream.getvalue().endswith("/step - loss: 232.5937 - val_loss: 284.6612\n")


def test_terminal_gets_keras_control_codes():
    stream = Terminal()
    bar = Progbar(18, verbose=1, stream=stream)
    bar.update(1, {"loss": 249.9754})
    bar.update(18, {"loss": 252.4942}, finalize=True)
    text = stream.getvalue()
    assert text.startswith("\r\x1b[1m 1/18\x1b[0m \x1b[32m━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m")
    first_width = len(text.split("\b")[0]) - 1  # minus the leading \r
    assert ("\b" * first_width + "\r\x1b[1m18/18\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
            "\x1b[1m0s") in text
    assert text.endswith(" - loss: 252.4942\n")


def test_verbose_2_line():
    stream = io.StringIO()
    Progbar(18, verbose=2, stream=stream).update(18, {"loss": 232.5937}, finalize=True)
    line = stream.getvalue()
    assert line.startswith("18/18 - 0s - ") and line.endswith("/step - loss: 232.5937\n")
    assert "- 0s -" in line and "- 0s - " in line
