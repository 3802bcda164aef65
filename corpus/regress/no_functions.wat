;; A module without functions: the JIT store had no code to copy, and copied zero bytes from a
;; null pointer (undefined behaviour that UBSan reported on comments.wast, binary.wast ...).
(module
  (memory (export "mem") 1)
  (global (export "g") i32 (i32.const 7))
  (data (i32.const 8) "tandem"))
