;; memory.grow: a runtime call through the runtime-call table, and memory.size inline.
(module
  (memory 1 4)
  (func (export "grow") (param i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (memory.size)))
