"""Source code shown on the documentation pages (Python, JavaScript, C, shell, make)."""

CSV_READ = '''import csv
from collections import defaultdict


def totals_by_region(path):
    """Sum the "amount" column of a CSV file per region."""
    totals = defaultdict(float)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                totals[row["region"]] += float(row["amount"])
            except ValueError:
                print(f"skipping bad amount: {row['amount']!r}")
    return dict(totals)


if __name__ == "__main__":
    for region, total in sorted(totals_by_region("sales.csv").items()):
        print(f"{region:<12}{total:>10.2f}")
'''

CONTEXT_CLASS = '''import time


class Timer:
    """Measure the wall-clock time of a block."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.elapsed = time.perf_counter() - self.start
        return False  # do not swallow exceptions


with Timer() as t:
    total = sum(i * i for i in range(1_000_000))
print(f"took {t.elapsed:.3f}s")
'''

CONTEXT_DECORATOR = '''import os
from contextlib import contextmanager


@contextmanager
def working_directory(path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous)
'''

DATACLASS_ORDER = '''from dataclasses import dataclass, field


@dataclass(order=True)
class Task:
    priority: int
    name: str = field(compare=False)
    tags: list[str] = field(default_factory=list, compare=False)


tasks = [Task(3, "write report"), Task(1, "fix build"), Task(2, "review patch")]
for task in sorted(tasks):
    print(task.priority, task.name)
'''

GEN_PIPELINE = '''def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\\n")


def only_errors(lines):
    for line in lines:
        if " ERROR " in line:
            yield line


def first_n(items, n):
    for i, item in enumerate(items):
        if i == n:
            return
        yield item


for line in first_n(only_errors(read_lines("app.log")), 5):
    print(line)
'''

BINARY_SEARCH = '''def binary_search(items, target):
    """Return the index of target in the sorted list items, or -1."""
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


assert binary_search([2, 3, 5, 7, 11, 13], 7) == 3
assert binary_search([2, 3, 5, 7, 11, 13], 4) == -1
'''

DEBOUNCE = '''function debounce(fn, waitMs) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), waitMs);
  };
}

const search = document.querySelector("#search");
search.addEventListener("input", debounce((event) => {
  console.log("searching for", event.target.value);
}, 300));
'''

FETCH_JSON = '''async function loadUser(id) {
  const response = await fetch(`/api/users/${id}`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    throw new Error(`request failed with status ${response.status}`);
  }
  return response.json();
}

loadUser(42)
  .then((user) => console.log(user.name))
  .catch((err) => console.error(err.message));
'''

REDUCE = '''const orders = [
  { customer: "ana", total: 30 },
  { customer: "ben", total: 12 },
  { customer: "ana", total: 8 },
];

// group totals by customer
const byCustomer = orders.reduce((acc, order) => {
  acc[order.customer] = (acc[order.customer] ?? 0) + order.total;
  return acc;
}, {});

// the largest single order
const largest = orders.reduce((best, o) => (o.total > best.total ? o : best));

console.log(byCustomer, largest);
'''

READ_LINES_C = '''#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\\n", argv[0]);
        return 1;
    }
    FILE *fp = fopen(argv[1], "r");
    if (fp == NULL) {
        perror("fopen");
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    long count = 0;
    while (getline(&line, &cap, fp) != -1) {
        count++;
    }
    free(line);
    fclose(fp);
    printf("%ld lines\\n", count);
    return 0;
}
'''

LINKED_LIST_C = '''#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

/* Insert at the front and return the new head. */
struct node *push(struct node *head, int value) {
    struct node *n = malloc(sizeof *n);
    if (n == NULL) {
        return head;
    }
    n->value = value;
    n->next = head;
    return n;
}

void free_list(struct node *head) {
    while (head != NULL) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
}
'''

BITS_C = '''#include <stdint.h>
#include <stdbool.h>

static bool is_power_of_two(uint32_t x) {
    return x != 0 && (x & (x - 1)) == 0;
}

static int popcount(uint32_t x) {
    int count = 0;
    while (x) {
        x &= x - 1;  // clear the lowest set bit
        count++;
    }
    return count;
}

static uint32_t lowest_bit(uint32_t x) {
    return x & (~x + 1);
}
'''

FIND_LARGE = '''$ find . -type f -size +100M -print
./videos/holiday-2023.mp4
./backups/disk.img
$ du -ah ~/Downloads | sort -rh | head -n 5
4.1G    /home/user/Downloads
1.2G    /home/user/Downloads/installer.iso
$ find . -name "*.log" -mtime +30 -exec ls -lh {} \\;
'''

BACKUP_SH = '''#!/usr/bin/env bash
set -euo pipefail

SRC="${HOME}/documents/"
DEST="/mnt/backup/documents"
STAMP="$(date +%Y-%m-%d)"

if [ ! -d "$DEST" ]; then
    echo "backup disk not mounted" >&2
    exit 1
fi

rsync -a --delete \\
    --exclude ".cache/" \\
    --link-dest="$DEST/latest" \\
    "$SRC" "$DEST/$STAMP"

ln -sfn "$DEST/$STAMP" "$DEST/latest"
echo "backup finished: $DEST/$STAMP"
'''

MAKEFILE = '''CC = cc
CFLAGS = -Wall -Wextra -O2
OBJS = main.o list.o

app: $(OBJS)
\t$(CC) $(CFLAGS) -o $@ $(OBJS)

%.o: %.c list.h
\t$(CC) $(CFLAGS) -c $< -o $@

.PHONY: clean
clean:
\trm -f app $(OBJS)
'''

DEDUP_LIST = '''def unique(items):
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result
'''

DEDUP_DICT = '''>>> list(dict.fromkeys([3, 1, 3, 2, 1]))
[3, 1, 2]
'''

STRCPY_BAD = '''#include <stdio.h>
#include <string.h>

int main(void) {
    char name[5];
    strcpy(name, "Josephine");
    printf("%s\\n", name);
    return 0;
}
'''

STRCPY_GOOD = '''char name[16];
snprintf(name, sizeof name, "%s", "Josephine");
'''
