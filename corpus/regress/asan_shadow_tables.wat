;; asan_shadow_tables.wat: sixteen tables without a maximum; each reserves 10,000,000 entries
;; of the arena's high region, so the last ones' elems_offset lies past 2 GiB (0x8...). Under
;; AddressSanitizer that offset sat inside the shadow mapping [0x7fff8000, 0x8fff7000) and the
;; host-pointer scan reported it (jit/arena.cc HostAddressRanges; jit/tests/jit_arena_test.cc).
(module
  (table $t0 2 funcref)
  (table $t1 1 funcref)
  (table $t2 1 funcref)
  (table $t3 1 funcref)
  (table $t4 1 funcref)
  (table $t5 1 funcref)
  (table $t6 1 funcref)
  (table $t7 1 funcref)
  (table $t8 1 funcref)
  (table $t9 1 funcref)
  (table $t10 1 funcref)
  (table $t11 1 funcref)
  (table $t12 1 funcref)
  (table $t13 1 funcref)
  (table $t14 1 funcref)
  (table $t15 1 funcref)
  (func (export "size15") (result i32) (table.size $t15))
  (func (export "grow15") (param i32) (result i32) (table.grow $t15 (ref.null func) (local.get 0)))
)
