;; Commands on a function with two results whose "expected" wast2json 1.0.32 writes without
;; commas between the objects ([{"type": "i64"}{"type": "i64"}]): assert_trap,
;; assert_exhaustion and a top-level action. Read by spec-tests/tests/runner_test.cc, which
;; checks the outcome at each line: keep the line numbers in step with it.
(module
  ;; 0: returns (1, 2); 1: traps (unreachable); otherwise recurses until the stack is exhausted.
  (func $pair (export "pair") (param i32) (result i64 i64)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (unreachable)))
    (if (i32.ge_u (local.get 0) (i32.const 2)) (then (return (call $pair (local.get 0)))))
    (i64.const 1) (i64.const 2)))
(assert_return (invoke "pair" (i32.const 0)) (i64.const 1) (i64.const 2))
(assert_trap (invoke "pair" (i32.const 1)) "unreachable")
(assert_exhaustion (invoke "pair" (i32.const 2)) "call stack exhausted")
(invoke "pair" (i32.const 0))
(assert_return (invoke "pair" (i32.const 0)) (i64.const 2) (i64.const 1))  ;; must fail: swapped
