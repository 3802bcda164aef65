;; access.wat: the input of every bounds-check mutant (jit/mutants.h; README.md here). One page
;; of memory (65536 bytes, no maximum: the rest of its 4 GiB reservation is inaccessible), one
;; function per access kind, each taking the address as its first parameter.
(module
  (memory 1)
  (func (export "i32.load") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func (export "i64.load") (param i32) (result i64)
    (i64.load (local.get 0)))
  (func (export "i32.load8_u") (param i32) (result i32)
    (i32.load8_u (local.get 0)))
  (func (export "i32.load offset=1") (param i32) (result i32)
    (i32.load offset=1 (local.get 0)))
  (func (export "i32.load offset=65536") (param i32) (result i32)
    (i32.load offset=65536 (local.get 0)))
  (func (export "i32.store") (param i32 i32)
    (i32.store (local.get 0) (local.get 1)))
  (func (export "i64.store") (param i32 i64)
    (i64.store (local.get 0) (local.get 1))))
