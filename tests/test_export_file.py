"""The whole timeline's downloads, written to a file once per data version."""

import gzip
import os
import threading
import time

import pytest
from django.core.management import call_command
from django.http import FileResponse

from relations.exports import files
from relations.exports.downloads import FORMATS
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip"}
HEADERS = ("Content-Type", "Content-Disposition", "ETag", "Last-Modified", "Cache-Control")


@pytest.fixture
def kept(settings, tmp_path):
    """Downloads kept in a directory of this test's own."""
    settings.EXPORT_CACHE_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


def body(response):
    return b"".join(response.streaming_content)


def names(folder):
    return sorted(path.name for path in folder.iterdir() if not path.name.endswith(".lock"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", ["", "?order=-date"])
def test_the_kept_file_holds_the_bytes_and_headers_of_the_streamed_export(
    client, timeline, settings, tmp_path, fmt, query
):
    settings.EXPORT_CACHE_DIR = ""
    streamed = client.get(f"/export/{fmt}/{query}")
    settings.EXPORT_CACHE_DIR = str(tmp_path)

    built = client.get(f"/export/{fmt}/{query}")
    served = client.get(f"/export/{fmt}/{query}")

    assert isinstance(served, FileResponse)
    assert body(streamed) == body(built) == body(served)
    for header in HEADERS:
        assert streamed[header] == built[header] == served[header]
    assert served["Access-Control-Allow-Origin"] == "*"
    assert int(served["Content-Length"]) == len(body(client.get(f"/export/{fmt}/{query}")))


def test_the_second_download_of_a_version_reads_the_file_not_the_events(
    client, timeline, kept, django_assert_max_num_queries
):
    first = body(client.get("/export/csv/"))
    with django_assert_max_num_queries(2):  # the data version, and validating the filters
        second = client.get("/export/csv/")
        assert body(second) == first
    assert len(names(kept)) == 1


def test_an_edit_gives_a_new_file_holding_it_and_deletes_the_old(client, timeline, kept):
    before = body(client.get("/export/json/"))
    old = names(kept)

    EventFactory(title="A brand new event")
    after = body(client.get("/export/json/"))

    assert b"A brand new event" not in before
    assert b"A brand new event" in after
    assert len(names(kept)) == 1
    assert names(kept) != old


def test_each_order_and_host_has_its_own_file(client, timeline, kept):
    oldest = body(client.get("/export/json/"))
    newest = body(client.get("/export/json/?order=-date"))
    other_host = body(client.get("/export/json/", headers={"Host": "127.0.0.1"}))

    assert len({oldest, newest, other_host}) == 3
    assert b"http://127.0.0.1/" in other_host
    assert len(names(kept)) == 3


def test_a_filtered_export_still_streams_and_keeps_no_file(client, timeline, kept):
    response = client.get("/export/csv/?category=security")
    assert response.status_code == 200
    assert not isinstance(response, FileResponse)
    assert body(response)
    assert not kept.exists() or names(kept) == []


def test_head_of_the_whole_timeline_writes_no_file(client, timeline, kept):
    response = client.head("/export/csv/")
    assert response.status_code == 200
    assert not kept.exists() or names(kept) == []


def test_the_kept_file_is_gzipped_for_clients_that_accept_it(client, timeline, kept):
    plain = body(client.get("/export/json/"))
    response = client.get("/export/json/", headers=GZIP)
    assert isinstance(response, FileResponse)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(response)) == plain


def test_an_unusable_directory_streams_instead(client, timeline, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.EXPORT_CACHE_DIR = str(tmp_path / "a-file" / "exports")
    response = client.get("/export/csv/")
    assert response.status_code == 200
    assert not isinstance(response, FileResponse)
    assert b"joint-statement-2024" in body(response)


def test_a_directory_that_refuses_files_streams_instead(client, timeline, kept, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    response = client.get("/export/csv/")
    assert response.status_code == 200
    assert b"joint-statement-2024" in body(response)


def test_a_failed_build_leaves_no_file_behind(kept):
    export = files.FullExport("csv", 7, "http://testserver", "oldest")

    def fail(out):
        out.write(b"half a file")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        files.opened(export, fail)
    assert names(kept) == []


def test_two_builders_at_once_write_the_file_once_and_both_read_it_whole(kept):
    export = files.FullExport("csv", 7, "http://testserver", "oldest")
    writes, read = [], []

    def write(out):
        writes.append(1)
        for _ in range(50):
            out.write(b"x" * 1000)
            time.sleep(0.001)

    def download():
        with files.opened(export, write) as handle:
            read.append(handle.read())

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert writes == [1]
    assert read == [b"x" * 50_000] * 2
    assert names(kept) == [export.name]


def test_a_file_names_what_its_bytes_depend_on():
    export = files.FullExport("csv-excel", 12, "https://example.org:8443", "newest")
    assert files.FullExport.from_name(export.name) == export
    assert files.FullExport.from_name(export.name + ".lock") is None
    assert files.FullExport.from_name(".tmp123.part") is None


def test_build_exports_writes_the_files_the_downloads_then_read(
    client, timeline, kept, settings, django_assert_max_num_queries
):
    call_command("build_exports", "--origin", "http://testserver", verbosity=0)
    assert len(names(kept)) == 3  # json, csv and csv-excel

    settings.EXPORT_CACHE_DIR = ""
    streamed = body(client.get("/export/json/"))
    settings.EXPORT_CACHE_DIR = str(kept)
    with django_assert_max_num_queries(2):
        served = client.get("/export/json/")
        assert body(served) == streamed


def test_build_exports_writes_again_what_was_downloaded_before_for_the_new_version(
    client, timeline, kept
):
    client.get("/export/ics/?order=-date")
    EventFactory(title="A brand new event")

    call_command("build_exports", verbosity=0)

    [name] = names(kept)
    export = files.FullExport.from_name(name)
    assert (export.fmt, export.order, export.origin) == ("ics", "newest", "http://testserver")
    assert b"A brand new event" in (kept / name).read_bytes()


def test_writing_a_file_deletes_what_a_killed_writer_left(kept):
    kept.mkdir()
    left = kept / ".abandoned.part"
    left.write_bytes(b"half")
    os.utime(left, (time.time() - 2 * files.ABANDONED_SECONDS,) * 2)
    writing = kept / ".being-written.part"
    writing.write_bytes(b"half")

    export = files.FullExport("csv", 7, "http://testserver", "oldest")
    files.opened(export, lambda out: out.write(b"x")).close()

    assert not left.exists()
    assert writing.exists()


def test_head_of_a_kept_file_has_the_headers_of_its_get_and_no_body(client, timeline, kept):
    get = client.get("/export/csv/")
    body(get)
    head = client.head("/export/csv/")
    assert isinstance(head, FileResponse)
    assert body(head) == b""
    for header in (*HEADERS, "Content-Length"):
        assert head[header] == client.get("/export/csv/")[header]
