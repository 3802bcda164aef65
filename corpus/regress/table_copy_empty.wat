(module
  (table 0 funcref)
  (func (export "copy") (table.copy (i32.const 0) (i32.const 0) (i32.const 0))))
