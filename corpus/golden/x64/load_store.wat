;; A load and a store: the bounds checks and the bounds records are visible.
(module
  (memory 1)
  (func (export "copy") (param $dst i32) (param $src i32)
    (i32.store offset=4 (local.get $dst) (i32.load8_u (local.get $src)))))
