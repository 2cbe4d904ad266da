# Used by scripts/fn-lengths.sh. Prints "<lines> <file>:<line> <fn name>" for every fn in
# the given Rust files: from the `fn` line to the first `}` at the same indentation
# (rustfmt layout), both included.
FNR == 1 { depth = 0 }
{
  if (match($0, /^[ \t]*(pub(\([a-z:]+\))? )?(const )?(async )?(unsafe )?(extern "[^"]*" )?fn [A-Za-z0-9_]+/)) {
    ind = match($0, /[^ \t]/) - 1
    name = $0; sub(/^.*fn /, "", name); sub(/[^A-Za-z0-9_].*$/, "", name)
    # a signature ending in ';' (trait method without body) has no body
    if ($0 !~ /;[ \t]*$/) { depth++; start[depth] = FNR; indent[depth] = ind; nm[depth] = name }
    if ($0 ~ /\}[ \t]*$/ && $0 ~ /\{/) { print 1, FILENAME ":" FNR, name; depth-- }
    next
  }
  if (depth > 0) {
    ind = match($0, /[^ \t]/) - 1
    if (ind == indent[depth] && $0 ~ /^[ \t]*\}/) {
      print FNR - start[depth] + 1, FILENAME ":" start[depth], nm[depth]; depth--
    }
  }
}
