# Two commands for a fresh machine: `make run` and `make test`. Each installs what it needs.
VENV   := .venv
PORT   ?= 8501
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests use: a real browser, a CJK font, a real PostgreSQL.
TEST_DEBS := chromium fonts-wqy-microhei postgresql

.PHONY: run test system-test-deps clean-venv

$(VENV)/.runtime: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m cockpit init
	$(PY) -m cockpit serve --port $(PORT)

system-test-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装测试所需的系统软件包:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: system-test-deps $(VENV)/.dev
	bash scripts/test.sh

clean-venv:
	rm -rf $(VENV)
