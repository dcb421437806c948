"""A lost worker, an unreachable scheduler and bad partitions: a retried pass or a clear error, never a state
missing a partition."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

import linnet

da = pytest.importorskip("dask.array", reason="the Dask tests need pip install 'linnet[dask]'")
dd = pytest.importorskip("dask.dataframe", reason="the Dask tests need pip install 'linnet[dask]'")
import dask  # noqa: E402

import linnet.dask as ld  # noqa: E402
from linnet.dask import _scheduler  # noqa: E402


def _data(n=1_200, p=2):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, p))
    return x, x @ np.arange(1.0, p + 1) + rng.normal(size=n)


def _slowly(block):
    time.sleep(0.25)
    return block


def _die_on_block_3(block, block_info=None):
    if block_info is not None and block_info[0]["chunk-location"][0] == 3:
        os._exit(1)
    return block


def test_a_worker_killed_mid_pass_is_retried_and_the_answer_is_complete(client):
    x, y = _data()
    slow_x = da.from_array(x, chunks=(100, 2)).map_blocks(_slowly, dtype=float)  # 12 partitions, ~1.5 s on 2 workers
    result = {}
    thread = threading.Thread(target=lambda: result.update(fit=ld.ols(slow_x, da.from_array(y, chunks=100),
                                                                      scheduler=client)))
    thread.start()
    time.sleep(0.6)
    victim = next(iter(client.run(os.getpid).values()))
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=120)
    expected = linnet.ols(x, y)
    assert result["fit"].nobs == len(y)
    np.testing.assert_allclose(result["fit"].params, expected.params, rtol=1e-12)


def test_a_partition_that_keeps_killing_its_worker_fails_with_a_clear_error(client):
    x, y = _data(600)
    poisoned = da.from_array(x, chunks=(100, 2)).map_blocks(_die_on_block_3, dtype=float)
    # Dask names whichever task reached its allowed failures first: the poisoned read of block 3, a task that shared
    # a dying worker with it, or linnet's state task when the read was fused into it; the error must name one
    with pytest.raises(ld.WorkerLostError, match=r"worker that tried (task \(.+\)|partition \d+) .*died.*"
                                                 r"no partial result"):
        ld.ols(poisoned, da.from_array(y, chunks=100), scheduler=client)


def test_an_unreachable_scheduler_is_named(monkeypatch):
    monkeypatch.setattr(_scheduler, "CONNECT_TIMEOUT", 1)
    x, y = _data(10)
    with pytest.raises(ConnectionError, match=r"Could not reach the Dask scheduler at 'tcp://127.0.0.1:9' within"):
        ld.ols(da.from_array(x), da.from_array(y), scheduler="tcp://127.0.0.1:9")
    with pytest.raises(TypeError, match="scheduler must be None.*Received: 42"):
        ld.ols(da.from_array(x), da.from_array(y), scheduler=42)
    with pytest.raises(ValueError, match="scheduler must be None.*a scheduler address such as .*Received: 'nonsense'"):
        ld.ols(da.from_array(x), da.from_array(y), scheduler="nonsense")


def _listener(answer: bytes | None):
    """A local TCP port that accepts and then never answers (``answer`` None) or answers every connection with
    ``answer`` and closes it (a service that is not a Dask scheduler); its address."""
    import socket
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def serve():
        while True:
            connection, _ = server.accept()
            held.append(connection)
            if answer is not None:
                connection.recv(65536)
                connection.sendall(answer)
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize("answer", [None, b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"],
                         ids=["silent", "not-dask"])
def test_a_listener_that_is_not_a_dask_scheduler_is_a_connection_error_within_the_timeout(monkeypatch, answer):
    """A listener that accepts and never answers held a Client past its own timeout (185 s, until killed); an HTTP
    service made it raise a MemoryError (a message length read from foreign bytes)."""
    monkeypatch.setattr(_scheduler, "CONNECT_TIMEOUT", 1)
    x, y = _data(10)
    address = _listener(answer)
    began = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"Could not reach the Dask scheduler at '{address}' within 1 s"):
        ld.ols(da.from_array(x), da.from_array(y), scheduler=address)
    assert time.perf_counter() - began < 5


def _web_server():
    """A local HTTP server (the standard library's): it waits for a request line Dask never sends."""
    import http.server
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"tcp://127.0.0.1:{server.server_address[1]}"


def _closed_port():
    """A local port nothing listens on (bound, then closed)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


LISTENERS = {"web server": _web_server, "ssh banner": lambda: _listener(b"SSH-2.0-OpenSSH_9.6\r\n"),
             "http answer": lambda: _listener(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"),
             "silent": lambda: _listener(None)}


@pytest.mark.parametrize("service", LISTENERS)
def test_a_service_that_is_not_a_dask_scheduler_is_named_as_such(monkeypatch, service):
    """Something listening that does not speak Dask's protocol was reported as "is it running?" (after the whole
    timeout for a web server), with Dask's own error (a MemoryError of 2.8 EiB for an SSH banner) as the reason."""
    monkeypatch.setattr(_scheduler, "CONNECT_TIMEOUT", 1)
    address = LISTENERS[service]()
    began = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"the Dask scheduler at '{address}' within 1 s: something listens "
                                              f"there, but it is not a Dask scheduler"):
        _scheduler.handshake(address)
    assert time.perf_counter() - began < 5
    nothing = _closed_port()
    with pytest.raises(ConnectionError, match=f"Could not reach the Dask scheduler at '{nothing}' within 1 s: is it "
                                              f"running"):
        _scheduler.handshake(nothing)


def test_a_tls_address_without_tls_settings_is_named_as_a_local_configuration_problem(monkeypatch):
    """Dask cannot open a tls:// address without certificates on this side (TypeError: TLS expects a
    ssl_context): that was reported as "something listens there, but it is not a Dask scheduler", untrue of a real
    TLS scheduler."""
    monkeypatch.setattr(_scheduler, "CONNECT_TIMEOUT", 1)
    address = LISTENERS["silent"]().replace("tcp://", "tls://")
    with pytest.raises(ValueError, match=r"needs TLS settings \(certificates\), which an address cannot carry: make a "
                                         r"distributed.Client\(address, security=...\).*Received: scheduler='tls://"):
        _scheduler.handshake(address)


def test_a_dask_worker_or_nanny_is_not_taken_for_the_scheduler(cluster):
    """The address of a worker or a nanny answers Dask's identity question as "Worker" or "Nanny": named, with the
    scheduler a worker knows (the message cut the answer at 100 characters, before the scheduler's address)."""
    nanny = next(iter(cluster.workers.values()))
    with pytest.raises(ConnectionError, match=f"The service at '{nanny.worker_address}' answered, but it is not a "
                                              f"Dask scheduler: it is a Dask Worker, whose scheduler is at "
                                              f"'{cluster.scheduler_address}'"):
        ld.ols(da.from_array(np.eye(3)), da.from_array(np.ones(3)), scheduler=nanny.worker_address)
    with pytest.raises(ConnectionError, match=f"The service at '{nanny.address}' answered, but it is not a Dask "
                                              f"scheduler: it is a Dask Nanny"):
        _scheduler.handshake(nanny.address)


def test_a_closed_client_is_named(cluster):
    from distributed import Client
    closed = Client(cluster, set_as_default=False)
    closed.close()
    x, y = _data(10)
    with pytest.raises(ValueError, match="scheduler is a distributed.Client that is closed"):
        ld.ols(da.from_array(x), da.from_array(y), scheduler=closed)


def _frame(n=60):
    pandas = pytest.importorskip("pandas")
    x, y = _data(n)
    return pandas.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})


def test_bad_columns_are_named():
    collection = dd.from_pandas(_frame(), npartitions=3)
    with pytest.raises(ValueError, match=r"no column 'c'\. Its columns: \['a', 'b', 'y'\]"):
        ld.ols(collection, target="y", features=["a", "c"])
    with pytest.raises(ValueError, match="target= is needed"):
        ld.ols(collection)
    text = collection.assign(label="x")
    with pytest.raises(TypeError, match="Column 'label' of the Dask DataFrame must be numeric"):
        ld.ols(text, target="y", features=["a", "label"])


def test_a_partition_of_another_schema_and_nan_mid_collection_are_named():
    frame = _frame()
    parts = [dask.delayed(frame.iloc[:30]), dask.delayed(frame.iloc[30:].rename(columns={"b": "B"}))]
    mixed = dd.from_delayed(parts, meta=frame.iloc[:0], verify_meta=False)  # as a folder of mixed files
    with pytest.raises(ValueError, match="Partition 1 has no column 'b'.*different schemas"):
        ld.ols(mixed, target="y", scheduler="sync")
    x, y = _data(300)
    x[250, 1] = np.nan
    with pytest.raises(ValueError, match=r"x of partition 2 contains NaN or infinite values \(first at index "
                                         r"\(50, 1\)"):
        ld.ols(da.from_array(x, chunks=100), da.from_array(y, chunks=100), scheduler="sync")
    y[120] = np.inf  # the state finds it (its Gram matrix is not finite), the partition's scan names it
    with pytest.raises(ValueError, match=r"y of partition 1 contains NaN or infinite values \(first at index "
                                         r"\(20,\)"):
        ld.ols(da.from_array(x[:200], chunks=100), da.from_array(y[:200], chunks=100), scheduler="sync")
    batches = ld.DaskBatches(da.from_array(x, chunks=100), da.from_array(y, chunks=100), shuffle=False,
                             scheduler="sync")
    with pytest.raises(ValueError, match=r"y of partition 1 contains NaN or infinite values"):
        list(batches.epoch(np.random.default_rng(0)))


def test_empty_and_misshapen_collections_are_refused():
    empty = da.zeros((0, 2), chunks=1)
    with pytest.raises(ValueError, match="hold no rows"):
        ld.ols(empty, da.zeros((0,), chunks=1), scheduler="sync")
    x, y = _data(100)
    with pytest.raises(ValueError, match=r"y must have shape \(100,\) or \(100, 1\).*Received: shape \(99,\)"):
        ld.ols(da.from_array(x), da.from_array(y[:99]))
    with pytest.raises(TypeError, match="y must be a Dask array when x is one.*Received: ndarray"):
        ld.ols(da.from_array(x), y)
    with pytest.raises(TypeError, match="expects a dask.array.Array or a dask.dataframe.DataFrame"):
        ld.ols(x, y)
    unknown = da.from_array(x, chunks=50)[da.from_array(y, chunks=50) > 0]
    with pytest.raises(ValueError, match="unknown length.*compute_chunk_sizes"):
        ld.ols(unknown, da.from_array(y, chunks=50))
    with pytest.raises(ValueError, match="split_every must be at least 2"):
        ld.ols(da.from_array(x), da.from_array(y), split_every=1)
    with pytest.raises(ValueError, match="refine=True needs a second pass"):
        ld.ols(da.from_array(x), da.from_array(y), refine=True)


@pytest.mark.parametrize("refine", [np.array([1, 0]), "no", 0])
def test_a_refine_that_is_no_bool_or_none_is_refused_as_linnet_ols_refuses_it(refine):
    """linnet.dask.ols(refine=np.array([1, 0])) stopped on NumPy's "truth value of an array ... is ambiguous",
    refine="no" was refused as refine=True, and refine=0 taken as False."""
    x, y = _data(100)
    for ols in (ld.ols, linnet.ols):
        with pytest.raises(TypeError, match=r"^refine must be True, False or None\. Received: refine="):
            ols(da.from_array(x), da.from_array(y), refine=refine, scheduler="sync") if ols is ld.ols else \
                ols(x, y, refine=refine)


@pytest.mark.parametrize("key, said", [
    ("linnet-state-3-5f1e", "partition 3"),
    ("linnet-merge-0123abcd", "a merge of partition states"),  # a token that starts with digits: still a merge
    ("('read_parquet-ff', 3)", "task \"('read_parquet-ff', 3)\" (reading the data)"),
])
def test_a_failed_task_is_named_by_its_key(key, said):
    from linnet.dask._scheduler import _which
    error = RuntimeError("lost")
    error.task = key
    assert _which(error) == said


def test_pandas_booleans_and_nullable_columns_are_numbers_and_a_missing_value_is_named():
    """They passed the collection's check, then came out of the partition as Python objects ("x of partition 3
    must hold numbers ... dtype object"); now booleans are 0 and 1, Int64 and Float64 their numbers, pd.NA a NaN."""
    pandas = pytest.importorskip("pandas")
    frame = _frame()
    frame["flag"] = frame["a"] > 0
    frame["count"] = pandas.array(np.arange(60) % 5, dtype="Int64")
    got = ld.ols(dd.from_pandas(frame, npartitions=3), target="y", features=["a", "flag", "count"], scheduler="sync")
    expected = linnet.exact.ols(frame[["a", "flag", "count"]].to_numpy(float), frame["y"].to_numpy())
    np.testing.assert_allclose(got.params, expected.params, rtol=1e-10)
    frame["count"] = frame["count"].astype("Float64")
    frame.loc[45, "count"] = pandas.NA
    with pytest.raises(ValueError, match=r"x of partition 2 contains NaN or infinite values \(first at index "
                                         r"\(5, 2\)"):
        ld.ols(dd.from_pandas(frame, npartitions=3), target="y", features=["a", "flag", "count"], scheduler="sync")


def test_column_labels_that_are_not_strings_work_and_repeated_ones_are_refused():
    pandas = pytest.importorskip("pandas")
    x, y = _data(60)
    numbered = pandas.DataFrame({0: x[:, 0], 1: x[:, 1], "y": y})
    got = ld.ols(dd.from_pandas(numbered, npartitions=2), target="y", scheduler="sync")
    np.testing.assert_allclose(got.params, linnet.exact.ols(x, y).params, rtol=1e-10)
    assert got.feature_names == ["0", "1"]
    twice = pandas.DataFrame(np.column_stack([x, y]), columns=["a", "a", "y"])
    with pytest.raises(ValueError, match=r"The Dask DataFrame names the column\(s\) 'a' more than once"):
        ld.ols(dd.from_pandas(twice, npartitions=2), target="y", scheduler="sync")
    with pytest.raises(TypeError, match="features must be a column name or a list of them. Received: 3"):
        ld.ols(dd.from_pandas(numbered, npartitions=2), target="y", features=3, scheduler="sync")


def test_read_parquet_arguments_and_a_file_changed_after_it_are_named(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x, y = _data(400)
    path = tmp_path / "data.parquet"
    table = pa.table({"a": x[:, 0], "b": x[:, 1], "y": y})
    pq.write_table(table, path, row_group_size=50)
    with pytest.raises(TypeError, match=r"columns must be a list of column names; write \['ay'\] for one"):
        ld.read_parquet(path, columns="ay")
    with pytest.raises(TypeError, match="path must be a Parquet file or a folder of them .* Received: None"):
        ld.read_parquet(None)
    with pytest.raises(ValueError, match=r"columns= names the column\(s\) 'a' more than once"):
        ld.read_parquet(path, columns=["a", "a", "y"])
    collection = ld.read_parquet(path)
    pq.write_table(table, path, row_group_size=200)  # rewritten: 2 row groups where there were 8
    with pytest.raises(ValueError, match=r"Cannot read row group [2-7] of '.*data.parquet': .* Did the file change "
                                         r"since read_parquet read it\?"):
        ld.ols(collection, target="y", scheduler="sync")


def test_values_beyond_float32_in_training_are_named_as_such_not_as_infinite():
    x, y = _data(3000)
    x[2100, 1] = 1e300
    model = linnet.Sequential([linnet.Input((2,)), linnet.Dense(1)])
    model.compile("sgd", "mse")
    batches = ld.DaskBatches(da.from_array(x, chunks=500), da.from_array(y, chunks=500), scheduler="sync")
    with pytest.raises(ValueError, match=r"x of partition 4 \(as float32, which training uses\) has values beyond "
                                         r"the float32 range .*largest 1e\+300"):
        model.fit(batches, verbose=0)
