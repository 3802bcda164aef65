;; Trapping truncations: range checks against constants in the pool, two trap stubs.
(module
  (func (export "i32_f64_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "i64_f32_u") (param f32) (result i64) (i64.trunc_f32_u (local.get 0))))
