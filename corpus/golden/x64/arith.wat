;; Integer arithmetic: register allocation, an immediate folded, division with its traps.
(module
  (func (export "mix") (param i32 i32) (result i32)
    (i32.mul (i32.add (local.get 0) (local.get 1)) (i32.sub (local.get 0) (i32.const 7))))
  (func (export "div_s") (param i64 i64) (result i64)
    (i64.div_s (local.get 0) (local.get 1))))
