# Two commands for a fresh machine: `make run` and `make test`. Each installs what it needs.
VENV   := .venv
PORT   ?= 8501
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests use: a real browser, a CJK font, a real PostgreSQL.
TEST_DEBS := chromium fonts-wqy-microhei postgresql mariadb-server
# What the cockpit itself needs to draw charts as pictures (kaleido drives Chromium; without a CJK
# font every 汉字 is a box).
RUN_DEBS := chromium fonts-wqy-microhei

.PHONY: run test bench system-deps system-test-deps clean-venv

$(VENV)/.runtime: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: system-deps $(VENV)/.runtime
	$(PY) -m cockpit init
	$(PY) -m cockpit serve --port $(PORT)

# Installs whichever of DEBS is missing; `make system-deps DEBS=...`.
define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装$(2)所需的系统软件包:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system-deps:
	$(call install_debs,$(RUN_DEBS),驾驶舱)

system-test-deps:
	$(call install_debs,$(TEST_DEBS),测试)

test: system-test-deps $(VENV)/.dev
	bash scripts/test.sh

# Every benchmark beside its peer in one run; SIZE=small (~25 min here) or full (the issue's scale).
SIZE ?= small
bench: system-test-deps $(VENV)/.dev
	$(PY) bench/run.py --size $(SIZE)

clean-venv:
	rm -rf $(VENV)
