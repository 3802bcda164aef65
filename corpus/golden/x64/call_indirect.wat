;; call_indirect: table bounds, null entry and signature checks, the call through the code table.
(module
  (type $ii (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double)
  (func $double (type $ii) (i32.add (local.get 0) (local.get 0)))
  (func (export "dispatch") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0))))
