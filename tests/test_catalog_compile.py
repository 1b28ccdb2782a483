"""Workers compiling the catalogs at the same moment never trip over each other's files."""
from __future__ import annotations

import threading

from okenko import i18n

WORKERS = 4


def test_workers_compiling_at_once_each_finish_with_whole_catalogs(tmp_path, monkeypatch):
    together = threading.Barrier(WORKERS, timeout=30)
    write_mo = i18n.write_mo

    def write_when_all_write(out, catalog):  # every worker is mid-write at the same moment
        together.wait()
        write_mo(out, catalog)

    monkeypatch.setattr(i18n, "write_mo", write_when_all_write)
    failures = []

    def worker():
        try:
            i18n.compile_catalogs(tmp_path)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{code}/LC_MESSAGES/messages.mo" for code in ("ar", "cs", "fr", "mn", "ru", "uk", "vi")]
