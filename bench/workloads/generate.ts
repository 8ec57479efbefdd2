// Generated inputs for the capture benchmark: a small C project (for
// `make -j2`) and a directory tree of small files (for `tar czf`). Both are
// deterministic, so every run and every machine builds the same thing.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { rng } from '../rng.js';


/** Skips the work when `dir` already holds what `key` describes (a stamp file beside it says). */
function once(dir: string, key: string, make: () => void): void {
  const stamp = join(dirname(dir), `.${basename(dir)}.generated`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  make();
  writeFileSync(stamp, key);
}

/**
 * `files` translation units of `funcs` functions each, a shared header, a
 * main that calls everything and prints a checksum, and a Makefile with
 * per-object rules (so `make -j2` compiles two at a time).
 */
export function generateCProject(dir: string, files: number, funcs = 12): void {
  once(dir, `c-project v2 files=${files} funcs=${funcs}`, () => {
    mkdirSync(join(dir, 'src'));
    const header: string[] = ['#ifndef BENCH_COMMON_H', '#define BENCH_COMMON_H', '#include <stdint.h>', '#include <stddef.h>'];
    header.push('typedef struct { uint64_t a, b, c; double x; } state_t;');
    const calls: string[] = [];
    for (let f = 0; f < files; f++) {
      const r = rng(1000 + f);
      const lines: string[] = ['#include "common.h"', '#include <string.h>', ''];
      for (let k = 0; k < funcs; k++) {
        const name = `u${f}_f${k}`;
        const m1 = 1 + Math.floor(r() * 97);
        const m2 = 3 + Math.floor(r() * 89);
        const sh = 1 + Math.floor(r() * 13);
        lines.push(
          `static uint64_t ${name}_mix(state_t *s, uint64_t v) {`,
          `  for (int i = 0; i < ${8 + Math.floor(r() * 24)}; i++) {`,
          `    v ^= v >> ${sh}; v *= ${m1}u + (uint64_t)i; s->a += v;`,
          `    if ((v % ${m2}u) == ${m2 % 7}u) { s->b ^= v << ${sh % 5 + 1}; s->x += (double)(v % 1000) / ${m2}.0; }`,
          `    else { s->c += s->a ^ s->b; }`,
          `    switch ((int)(v % 5)) { case 0: s->a ^= ${m1}u; break; case 1: s->b += ${m2}u; break;`,
          `      case 2: s->c = (s->c << 1) | (s->c >> 63); break; case 3: s->x *= 0.999; break; default: break; }`,
          '  }',
          '  return v + s->a + s->b + s->c;',
          '}',
          `uint64_t ${name}(state_t *s, uint64_t v) {`,
          '  uint64_t buf[16]; memset(buf, 0, sizeof buf);',
          `  for (size_t i = 0; i < 16; i++) buf[i] = ${name}_mix(s, v + i) ^ (i * ${m1}u);`,
          '  uint64_t acc = 0; for (size_t i = 0; i < 16; i++) acc += buf[(i * 7) % 16] >> (i % 3);',
          '  return acc;',
          '}',
          '',
        );
        header.push(`uint64_t ${name}(state_t *s, uint64_t v);`);
        calls.push(`  h = ${name}(&s, h);`);
      }
      writeFileSync(join(dir, 'src', `unit${f}.c`), lines.join('\n'));
    }
    header.push('#endif');
    writeFileSync(join(dir, 'src', 'common.h'), header.join('\n') + '\n');
    writeFileSync(join(dir, 'src', 'main.c'), [
      '#include "common.h"', '#include <stdio.h>', '#include <inttypes.h>', '',
      'int main(void) {', '  state_t s = {1, 2, 3, 0.5}; uint64_t h = 42;', ...calls,
      '  printf("checksum %016" PRIx64 "\\n", h ^ s.a ^ s.b ^ s.c);', '  return 0;', '}', '',
    ].join('\n'));
    const objs = [...Array.from({ length: files }, (_, f) => `build/unit${f}.o`), 'build/main.o'];
    writeFileSync(join(dir, 'Makefile'), [
      'CC ?= cc', 'CFLAGS ?= -O2 -g -Wall', '', `OBJS = ${objs.join(' ')}`, '',
      'all: build/app', '',
      'build/app: $(OBJS)', '\t$(CC) $(CFLAGS) -o $@ $(OBJS)', '',
      'build/%.o: src/%.c src/common.h | build', '\t$(CC) $(CFLAGS) -c -o $@ $<', '',
      'build:', '\tmkdir -p build', '',
      'clean:', '\trm -rf build', '',
      '.PHONY: all clean', '',
    ].join('\n'));
  });
}

const WORDS = ('provenance lineage kernel tracer process file input output dataset model checkpoint '
  + 'energy force lattice atom electron density step loss gradient tensor batch epoch run job node '
  + 'cluster storage read write open close exec fork wait signal pipe socket buffer cache hash').split(' ');

/**
 * `dirs` × `perDir` text files of 200 B – 4 KB (words, numbers, a little
 * randomness, so gzip has real work) in a two-level tree.
 */
export function generateTree(dir: string, dirs: number, perDir: number): number {
  once(dir, `tree v1 dirs=${dirs} perDir=${perDir}`, () => {
    const r = rng(7);
    for (let d = 0; d < dirs; d++) {
      const sub = join(dir, `group${Math.floor(d / 20)}`, `dir${d}`);
      mkdirSync(sub, { recursive: true });
      for (let f = 0; f < perDir; f++) {
        const size = 200 + Math.floor(r() * r() * 3800);
        const parts: string[] = [];
        let n = 0;
        while (n < size) {
          const w = r() < 0.15 ? (r() * 1e6).toFixed(Math.floor(r() * 4)) : WORDS[Math.floor(r() * WORDS.length)]!;
          parts.push(w);
          n += w.length + 1;
          if (r() < 0.08) { parts.push('\n'); n++; }
        }
        writeFileSync(join(sub, `file${f}.txt`), parts.join(' ').slice(0, size));
      }
    }
  });
  return dirs * perDir;
}
