;; call_indirect through a constant index past any table's size: the bounds check's branch to
;; the trap is always taken, so the code after it never runs. The verifier simplified the
;; not-taken edge's premise to `false`, then left it out of the solver (it shares no symbol with
;; the address), and reported the table load after the check as able to leave the table's
;; entries (found by tandem fuzz --verify, seed 7; fixed in jit/verify/verify.cc: constant
;; premises always reach the solver). jit/verify/tests/verify_test.cc verifies every module of
;; corpus/regress on each back end.
(module
  (type $t (func (result i32)))
  (table 4 funcref)
  (func $one (result i32) (i32.const 1))
  (elem (i32.const 0) $one)
  (func (export "far") (result i32)
    (call_indirect (type $t) (i32.const -1)))
  (func (export "near") (result i32)
    (call_indirect (type $t) (i32.const 0))))
