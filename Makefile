.PHONY: demo test
demo:  ## install, migrate, load the Kalasatama fixtures and serve the API (SQLite, embedded engine, eager Celery)
	./scripts/demo.sh
test:  ## install, make sure PostgreSQL and Redis answer, run the whole test suite
	./scripts/test.sh
