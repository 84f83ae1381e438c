"""gunicorn settings of the test servers (tests/resilience/cluster.py): the hang points of tests/resilience/hang.py
in every worker, once it has loaded the application."""


def post_worker_init(worker):
    from tests.resilience import hang

    hang.install_from_env()
