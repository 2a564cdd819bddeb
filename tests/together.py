"""Send requests at the same moment, each from its own thread with its own database connection, as gunicorn's
workers would. On SQLite the test database is a file for this (krem/settings.py), so the threads lock as in
production."""

import threading

from django.db import connections


def at_once(*calls):
    """Call every function at the same moment, one thread each; return their results (or the errors raised)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as error:  # the test reports it with the others
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
