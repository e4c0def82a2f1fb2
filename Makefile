# The two set-up commands of the README: `make demo` (main job) and `make test` (the test suite).
.PHONY: demo test lint bench venv system-deps

venv:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen

demo: venv
	uv run govreports demo

system-deps:
	scripts/install-system-deps

test: system-deps venv
	uv run ruff check .
	scripts/with-postgres uv run pytest

lint: venv
	uv run ruff check .
	uv run ruff format --check .

bench: venv
	uv run python -m benchmarks
