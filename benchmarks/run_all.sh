#!/usr/bin/env bash
# Run every benchmark on real data and print its tables; `make bench` calls this.
#
#   benchmarks/run_all.sh            # full, ~35 min: all 1,381 pages for extract and extract quality; 300 pages in 4 shards
#                                    # for the runner; the issue 4 stages (PII, language id, dirty words, URL filter);
#                                    # issue 5 (MinHash signatures and accuracy, through the jobs, line dedup, 1M documents);
#                                    # issue 6 (heuristics, token KL)
#   benchmarks/run_all.sh --quick    # fast check, ~5 min: 100 pages for extract and extract quality; 40 pages in 2 shards;
#                                    # one round of each issue 4 and 5 benchmark
#
# Results go to $BENCH_OUT (default benchmarks/results/, git-ignored) as JSON beside the
# printed tables. Reads $CURATE_SHARED/data/warc/dev-pages.warc.gz in place (default
# ../shared beside the repository); without it each benchmark says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option $arg (use --quick)" >&2; exit 2 ;;
  esac
done

if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif [ -x .venv/bin/python ]; then PY=.venv/bin/python
else PY=python3; fi
OUT=${BENCH_OUT:-benchmarks/results}
mkdir -p "$OUT"

if [ "$quick" = 1 ]; then
  extract_args=(--limit 100 --repeat 1)
  runner_args=(--docs 40 --shards 2)
  quality_args=(--limit 100)
  stage_args=(--repeat 1)
  tag=quick
else
  extract_args=(--matched --same-docs)
  runner_args=(--repeat 3)
  quality_args=()
  stage_args=(--repeat 5)
  tag=full
fi

echo "== bench_extract ${extract_args[*]}"
"$PY" benchmarks/bench_extract.py "${extract_args[@]}" --json "$OUT/extract-$tag.json"
echo
echo "== bench_extract_quality ${quality_args[*]}"
"$PY" benchmarks/bench_extract_quality.py "${quality_args[@]}" --json "$OUT/extract-quality-$tag.json"
echo
echo "== bench_runner ${runner_args[*]}"
"$PY" benchmarks/bench_runner.py "${runner_args[@]}" --json "$OUT/runner-$tag.json"

for b in pii language dirty_words url_filter minhash line_dedup heuristics token_kl; do
  echo
  echo "== bench_$b ${stage_args[*]}"
  "$PY" benchmarks/bench_$b.py "${stage_args[@]}" --json "$OUT/$b-$tag.json"
done
echo
echo "== bench_minhash_jobs"
"$PY" benchmarks/bench_minhash_jobs.py --json "$OUT/minhash-jobs-$tag.json"
echo
echo "== bench_classifiers"
if [ "$quick" = 1 ]; then classifier_args=(--per-source 50 --test-per-source 30 --mmlu-per-subject 5 --repeat 1); else classifier_args=(); fi
"$PY" benchmarks/bench_classifiers.py "${classifier_args[@]}" --json "$OUT/classifiers-$tag.json"
if [ "$quick" = 0 ]; then
  echo
  echo "== bench_dedup_scale --docs 1000000 --shards 64"
  "$PY" benchmarks/bench_dedup_scale.py --docs 1000000 --shards 64 --json "$OUT/dedup-scale-$tag.json"
fi
