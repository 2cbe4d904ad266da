#!/usr/bin/env bash
# Checksums of what masking produces on real data, to show a refactor leaves masks
# byte-identical: NPMI tables (counted from lambda, imported from the GeneMask authors' CSV)
# and `train mask` output of every strategy and rank lookup on three inputs.
#   bash scripts/mask-snapshot.sh TRAIN OUTDIR   (then diff two OUTDIR/SHA256SUMS)
# Needs ../shared/data beside the checkout.
set -euo pipefail
T=$(realpath "$1"); O=$2; mkdir -p "$O"; O=$(realpath "$O")
cd "$(dirname "$0")/.."
D=../shared/data
[ -d "$D" ] || { echo "mask-snapshot: $D is absent" >&2; exit 1; }
"$T" npmi --fasta $D/corpora/lambda_virus.fa.gz --min-count 2 --out "$O/lambda.json" >/dev/null 2>&1
"$T" npmi --import-genemask $D/GeneMask/Data-A_norm-pmi-score-ranking.csv --out "$O/gm.json" >/dev/null 2>&1
for s in random genemask global cm-step cm-gems; do
  for l in kmer position; do
    "$T" mask --table "$O/lambda.json" --strategy $s --rank-lookup $l --step 5000 --switch-step 100 \
      $D/corpora/lambda_virus.fa.gz --out "$O/lambda-$s-$l.jsonl" 2>/dev/null
    "$T" mask --table "$O/gm.json" --strategy $s --rank-lookup $l --random-ids all --seed 7 \
      $D/corpora/human_chrM_GRCh38.fasta --out "$O/chrM-$s-$l.jsonl" 2>/dev/null
    "$T" mask --table "$O/gm.json" --strategy $s --rank-lookup $l \
      $D/GUE/tf/1/dev.csv.gz --out "$O/gue-$s-$l.jsonl" 2>/dev/null
  done
done
(cd "$O" && sha256sum *.json *.jsonl > SHA256SUMS)
echo "$(wc -l < "$O/SHA256SUMS") files; checksums in $O/SHA256SUMS"
