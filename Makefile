# Shortcuts for the dev.py commands (dev.py needs only python3; see README.md). Extra arguments: make test ARGS="-k login"
.PHONY: run test bench

run:
	python3 dev.py run $(ARGS)

test:
	python3 dev.py test $(ARGS)

bench:
	python3 dev.py bench $(ARGS)
