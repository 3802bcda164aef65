// validator_test.cc: table-driven tests of Validate() (Spec 3 and the Appendix validation
// algorithm): each row is a WAT module and either "valid" or the expected message prefix.
#include "reference/validator.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "reference/decoder.h"
#include "reference/tests/wat_util.h"

namespace tandem::wasm {
namespace {

constexpr const char* kValid = "";

struct Case {
  const char* name;
  const char* wat;       // a whole (module ...)
  const char* expected;  // kValid, or the prefix of the InvalidError message
  const char* flags = "";
};

// Decodes `wat`, validates it and checks the outcome against `expected`.
void Check(const Case& c) {
  INFO("case: " << c.name << "\n" << c.wat);
  Module m = Decode(testing::WatToWasm(c.wat, c.flags));
  std::string expected = c.expected;
  if (expected.empty()) {
    try {
      Validate(m);
    } catch (const InvalidError& e) {
      FAIL("expected valid, got: " << e.what());
    }
    SUCCEED();
    return;
  }
  try {
    Validate(m);
    FAIL("expected invalid \"" << expected << "\", but the module validated");
  } catch (const InvalidError& e) {
    std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.rfind(expected, 0) == 0);
    CHECK(e.kind() == ErrorKind::kInvalid);
  }
}

// Unreachable code and the polymorphic operand stack (Appendix "Validation Algorithm").
const Case kPolymorphic[] = {
    {"unreachable then i32.add", "(module (func (result i32) unreachable i32.add))", kValid},
    {"unreachable then i32.add, drop", "(module (func unreachable i32.add drop))", kValid},
    {"unreachable satisfies two results", "(module (func (result i32 i64) unreachable))", kValid},
    {"unreachable, known i64 under i32.add", "(module (func unreachable i64.const 0 i32.add drop))",
     "type mismatch"},
    {"unreachable, known f32 result", "(module (func (result i32) unreachable f32.const 0))",
     "type mismatch"},
    {"unreachable then too many values",
     "(module (func (result i32) unreachable i32.const 0 i32.const 0))", "type mismatch"},
    {"select after unreachable", "(module (func (result i32) unreachable select))", kValid},
    {"select after unreachable with one known operand",
     "(module (func (result i64) unreachable i64.const 0 i32.const 1 select))", kValid},
    {"select after unreachable with mixed known operands",
     "(module (func (result i64) unreachable i64.const 0 i32.const 0 i32.const 1 select))",
     "type mismatch"},
    {"select after unreachable with a reference operand",
     "(module (func (result funcref) unreachable ref.null func i32.const 1 select))",
     "type mismatch"},
    {"block result after br", "(module (func (result i32) (block (result i32) i32.const 1 br 0)))",
     kValid},
    {"block result after br, wrong value after",
     "(module (func (result i32) (block (result i32) i32.const 1 br 0 i64.const 0)))",
     "type mismatch"},
    {"br needs its operand", "(module (func (result i32) (block (result i32) br 0)))",
     "type mismatch"},
    {"br after unreachable", "(module (func (result i32) (block (result i32) unreachable br 0)))",
     kValid},
    {"return is polymorphic", "(module (func (result i32) i32.const 1 return i64.const 0 drop))",
     kValid},
    {"br_table with polymorphic operands",
     "(module (func (result i32) (block (result i32) unreachable br_table 0 0)))", kValid},
    {"br_table, same arity different types, polymorphic",
     "(module (func (result i32) (block (result i32) (block (result i64) unreachable "
     "br_table 0 1) drop i32.const 0)))",
     kValid},
    {"br_table, same arity different types, known operand",
     "(module (func (result i32) (block (result i32) (block (result i64) unreachable "
     "i32.const 1 i32.const 0 br_table 0 1) drop i32.const 0)))",
     "type mismatch"},
    {"br_table, arity mismatch",
     "(module (func (block (result i32) (block unreachable br_table 0 1)) drop))", "type mismatch"},
    {"br_table to loop uses params",
     "(module (func (result i32) i32.const 7 (loop (param i32) (result i32) "
     "i32.const 0 br_table 0 0)))",
     kValid},
    {"br_if keeps operands",
     "(module (func (result i32) (block (result i32) "
     "i32.const 1 i32.const 0 br_if 0)))",
     kValid},
    {"br_if after unreachable yields the label type",
     "(module (func (result i32) (block (result i32) unreachable br_if 0)))", kValid},
    {"br_if after unreachable, wrong type kept",
     "(module (func (result i64) (block (result i32) unreachable br_if 0) drop "
     "(block (result i32) unreachable br_if 0)))",
     "type mismatch"},
    {"unreachable inside nested block does not leak",
     "(module (func (result i32) (block unreachable) i32.add))", "type mismatch"},
    {"operands below block height are not visible",
     "(module (func (result i32) i32.const 1 (block (result i32) i32.add)))", "type mismatch"},
    {"code after unreachable in else arm",
     "(module (func (param i32) (result i32) (if (result i32) (local.get 0) "
     "(then i32.const 1) (else unreachable))))",
     kValid},
};

// Blocks, multi-value, if without else.
const Case kControl[] = {
    {"multi-value block",
     "(module (func (result i32 i32) (block (result i32 i32) "
     "i32.const 1 i32.const 2)))",
     kValid},
    {"block with params",
     "(module (func (result i32) i32.const 1 (block (param i32) "
     "(result i32) i32.const 2 i32.add)))",
     kValid},
    {"block params missing", "(module (func (result i32) (block (param i32) (result i32))))",
     "type mismatch"},
    {"loop label is its params",
     "(module (func (result i32) i32.const 0 (loop (param i32) "
     "(result i32) br 0)))",
     kValid},
    {"loop label is its params, checked",
     "(module (func (result i32) i32.const 0 (loop (param i32) (result i32) i64.const 1 br 0)))",
     "type mismatch"},
    {"if without else, equal param and result",
     "(module (func (result i32) i32.const 5 i32.const 1 (if (param i32) (result i32) "
     "(then))))",
     kValid},
    {"if without else, result only",
     "(module (func (param i32) (result i32) (if (result i32) (local.get 0) "
     "(then i32.const 1))))",
     "type mismatch"},
    {"if needs i32 condition", "(module (func (if (i64.const 0) (then))))", "type mismatch"},
    {"else arm result checked",
     "(module (func (param i32) (result i32) (if (result i32) "
     "(local.get 0) (then i32.const 1) (else i64.const 1))))",
     "type mismatch"},
    {"block leaves extra value", "(module (func (block i32.const 1)))", "type mismatch"},
    {"function result missing", "(module (func (result i32)))", "type mismatch"},
    {"function result wrong", "(module (func (result i32) i64.const 0))", "type mismatch"},
    {"unknown label", "(module (func (block br 2)))", "unknown label 2"},
    {"block type index",
     "(module (type (func (param i32) (result i64))) "
     "(func (result i64) i32.const 1 (block (type 0) drop i64.const 2)))",
     kValid},
    {"call with params",
     "(module (func $f (param i32 i64) (result f32) f32.const 0) "
     "(func (result f32) i32.const 1 i64.const 2 call $f))",
     kValid},
    {"call with wrong params",
     "(module (func $f (param i32 i64)) "
     "(func i64.const 1 i32.const 2 call $f))",
     "type mismatch"},
    {"unknown function", "(module (func call 5))", "unknown function 5"},
    {"call_indirect",
     "(module (type (func (param i32))) (table 1 funcref) "
     "(func i32.const 1 i32.const 0 call_indirect (type 0)))",
     kValid},
    {"call_indirect without table",
     "(module (type (func)) (func i32.const 0 "
     "call_indirect (type 0)))",
     "unknown table 0"},
    {"call_indirect on externref table",
     "(module (type (func)) (table 1 externref) "
     "(func i32.const 0 call_indirect (type 0)))",
     "type mismatch"},
    {"call_indirect unknown type",
     "(module (table 1 funcref) (func i32.const 0 call_indirect (type 3)))", "unknown type 3"},
};

// Variables, references, parametric and memory/table instructions.
const Case kInstructions[] = {
    {"unknown local", "(module (func (param i32) (drop (local.get 1))))", "unknown local 1"},
    {"locals from declarations",
     "(module (func (param i32) (result f64) (local i64 f32) "
     "(local f64) local.get 3))",
     kValid},
    {"local.set type", "(module (func (local i64) (local.set 0 (i32.const 1))))", "type mismatch"},
    {"local.tee", "(module (func (result f32) (local f32) (local.tee 0 (f32.const 1))))", kValid},
    {"unknown global", "(module (func (drop (global.get 0))))", "unknown global 0"},
    {"global is immutable",
     "(module (global i32 (i32.const 0)) "
     "(func (global.set 0 (i32.const 1))))",
     "global is immutable"},
    {"global.set mutable",
     "(module (global (mut i32) (i32.const 0)) "
     "(func (global.set 0 (i32.const 1))))",
     kValid},
    {"select numeric", "(module (func (result f64) f64.const 1 f64.const 2 i32.const 0 select))",
     kValid},
    {"select operand types differ",
     "(module (func (result i32) i32.const 1 i64.const 2 i32.const 0 select))", "type mismatch"},
    {"select without type on references",
     "(module (func (param funcref) (drop (select (local.get 0) (local.get 0) (i32.const 1)))))",
     "type mismatch"},
    {"typed select on references",
     "(module (func (param funcref) (result funcref) (select (result funcref) (local.get 0) "
     "(local.get 0) (i32.const 1))))",
     kValid},
    {"typed select with two types",
     "(module (func (select (result i32 i32) (i32.const 0) (i32.const 0) (i32.const 0) "
     "(i32.const 0) (i32.const 0)) drop drop))",
     "invalid result arity"},
    {"ref.is_null on a number", "(module (func (drop (ref.is_null (i32.const 0)))))",
     "type mismatch"},
    {"ref.is_null after unreachable", "(module (func (result i32) unreachable ref.is_null))",
     kValid},
    {"ref.func declared by elem",
     "(module (func $f) (elem declare func $f) "
     "(func (result funcref) ref.func $f))",
     kValid},
    {"ref.func declared by export",
     "(module (func $f (export \"f\")) "
     "(func (result funcref) ref.func $f))",
     kValid},
    {"ref.func declared by global",
     "(module (func $f) (global funcref (ref.func $f)) "
     "(func (result funcref) ref.func $f))",
     kValid},
    {"ref.func undeclared", "(module (func $f) (func (result funcref) ref.func $f))",
     "undeclared function reference"},
    {"ref.func in a body does not declare",
     "(module (func $f) (func (drop (ref.func $f))) "
     "(func (result funcref) ref.func $f))",
     "undeclared function reference"},
    {"ref.func unknown", "(module (elem declare func 0) (func (drop (ref.func 7))))",
     "unknown function 7"},
    {"load",
     "(module (memory 1) (func (result i64) (i64.load offset=4 align=8 "
     "(i32.const 0))))",
     kValid},
    {"load without memory", "(module (func (drop (i32.load (i32.const 0)))))", "unknown memory 0"},
    {"store without memory", "(module (func (i64.store8 (i32.const 0) (i64.const 0))))",
     "unknown memory 0"},
    {"memory.size without memory", "(module (func (drop (memory.size))))", "unknown memory 0"},
    {"memory.grow without memory", "(module (func (drop (memory.grow (i32.const 0)))))",
     "unknown memory 0"},
    {"load alignment", "(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))",
     "alignment must not be larger than natural"},
    {"load8 alignment", "(module (memory 1) (func (drop (i64.load8_u align=2 (i32.const 0)))))",
     "alignment must not be larger than natural"},
    {"store alignment",
     "(module (memory 1) (func (i32.store16 align=4 (i32.const 0) (i32.const 0))))",
     "alignment must not be larger than natural"},
    {"store operand types", "(module (memory 1) (func (f32.store (i32.const 0) (f64.const 0))))",
     "type mismatch"},
    {"memory.init",
     "(module (memory 1) (data \"ab\") (func (memory.init 0 (i32.const 0) "
     "(i32.const 0) (i32.const 1))))",
     kValid},
    {"memory.init without memory",
     "(module (data \"a\") (func (memory.init 0 (i32.const 0) "
     "(i32.const 0) (i32.const 1))))",
     "unknown memory 0"},
    {"memory.init unknown data",
     "(module (memory 1) (data \"ab\") (func (memory.init 1 "
     "(i32.const 0) (i32.const 0) (i32.const 1))))",
     "unknown data segment 1"},
    {"data.drop unknown data", "(module (memory 1) (data \"a\") (func (data.drop 4)))",
     "unknown data segment 4"},
    {"memory.copy without memory",
     "(module (func (memory.copy (i32.const 0) (i32.const 0) "
     "(i32.const 1))))",
     "unknown memory 0"},
    {"memory.fill operand types",
     "(module (memory 1) (func (memory.fill (i32.const 0) "
     "(i64.const 0) (i32.const 1))))",
     "type mismatch"},
    {"table.get/set",
     "(module (table 1 externref) (func (param externref) "
     "(table.set 0 (i32.const 0) (table.get 0 (i32.const 0)))))",
     kValid},
    {"table.set wrong type",
     "(module (table 1 externref) (func (param funcref) "
     "(table.set 0 (i32.const 0) (local.get 0))))",
     "type mismatch"},
    {"table.size without table", "(module (func (drop (table.size 0))))", "unknown table 0"},
    {"table.grow",
     "(module (table 1 funcref) (func (result i32) "
     "(table.grow 0 (ref.null func) (i32.const 1))))",
     kValid},
    {"table.fill wrong type",
     "(module (table 1 funcref) (func (table.fill 0 (i32.const 0) "
     "(ref.null extern) (i32.const 1))))",
     "type mismatch"},
    {"table.init",
     "(module (table 1 funcref) (elem funcref (ref.null func)) "
     "(func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 1))))",
     kValid},
    {"table.init without table",
     "(module (func (table.init 0 (i32.const 12) (i32.const 1) "
     "(i32.const 1))))",
     "unknown table 0"},
    {"table.init unknown elem",
     "(module (table 1 funcref) (func (table.init 0 3 "
     "(i32.const 0) (i32.const 0) (i32.const 1))))",
     "unknown elem segment 3"},
    {"table.init type mismatch",
     "(module (table 1 externref) (elem funcref (ref.null func)) "
     "(func (table.init 0 0 (i32.const 0) (i32.const 0) "
     "(i32.const 1))))",
     "type mismatch"},
    {"elem.drop unknown", "(module (func (elem.drop 0)))", "unknown elem segment 0"},
    {"table.copy type mismatch",
     "(module (table 1 externref) (table 1 funcref) "
     "(func (table.copy 0 1 (i32.const 0) (i32.const 0) "
     "(i32.const 1))))",
     "type mismatch"},
    {"numeric operand types",
     "(module (func (result i32) (i32.add (i32.const 1) "
     "(f32.const 2))))",
     "type mismatch"},
    {"conversion", "(module (func (result f64) (f64.convert_i64_u (i64.const 1))))", kValid},
    {"saturating conversion",
     "(module (func (result i64) (i64.trunc_sat_f32_s "
     "(f32.const 1))))",
     kValid},
};

// Module-level rules (Spec 3.4).
const Case kModule[] = {
    {"global init const", "(module (global i64 (i64.const 1)))", kValid},
    {"global init type", "(module (global i64 (i32.const 1)))", "type mismatch"},
    {"global init empty", "(module (global i32))", "type mismatch"},
    {"global init two values", "(module (global i32 (i32.const 0) (i32.const 0)))",
     "type mismatch"},
    {"global init not constant", "(module (global i32 (i32.add (i32.const 0) (i32.const 1))))",
     "constant expression required"},
    {"global init nop", "(module (global i32 (nop) (i32.const 0)))",
     "constant expression required"},
    {"global init from imported immutable",
     "(module (global (import \"m\" \"g\") i32) (global i32 (global.get 0)))", kValid},
    {"global init from imported mutable",
     "(module (global (import \"m\" \"g\") (mut i32)) (global i32 (global.get 0)))",
     "constant expression required"},
    {"global init from defined global",
     "(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global 0"},
    {"global init from itself", "(module (global i32 (global.get 0)))", "unknown global 0"},
    {"data offset from defined global",
     "(module (memory 1) (global i32 (i32.const 0)) "
     "(data (global.get 0) \"a\"))",
     "unknown global 0"},
    {"elem offset not constant",
     "(module (table 1 funcref) "
     "(elem (i32.ctz (i32.const 0))))",
     "constant expression required"},
    {"elem type vs table type",
     "(module (table 1 externref) (func $f) "
     "(elem (table 0) (i32.const 0) funcref (ref.func $f)))",
     "type mismatch"},
    {"elem unknown table", "(module (func $f) (elem (i32.const 0) $f))", "unknown table 0"},
    {"elem offset type", "(module (table 1 funcref) (elem (i64.const 0)))", "type mismatch"},
    {"elem item type",
     "(module (table 1 funcref) (elem (i32.const 0) funcref "
     "(ref.null extern)))",
     "type mismatch"},
    {"data without memory", "(module (data (i32.const 0) \"a\"))", "unknown memory 0"},
    {"data offset type", "(module (memory 1) (data (i64.const 0) \"a\"))", "type mismatch"},
    {"start function", "(module (func $s) (start $s))", kValid},
    {"start function with params", "(module (func $s (param i32)) (start $s))", "start function"},
    {"start function with results", "(module (func $s (result i32) i32.const 0) (start $s))",
     "start function"},
    {"start unknown", "(module (start 3))", "unknown function 3"},
    {"duplicate export name", "(module (func (export \"a\")) (func (export \"a\")))",
     "duplicate export name"},
    {"duplicate export name across kinds",
     "(module (memory (export \"a\") 1) (global (export \"a\") i32 (i32.const 0)))",
     "duplicate export name"},
    {"export unknown function", "(module (export \"a\" (func 3)))", "unknown function 3"},
    {"export unknown table", "(module (export \"a\" (table 0)))", "unknown table 0"},
    {"export unknown memory", "(module (export \"a\" (memory 0)))", "unknown memory 0"},
    {"export unknown global", "(module (export \"a\" (global 1)))", "unknown global 1"},
    {"memory limits", "(module (memory 0 65536))", kValid},
    {"memory too large", "(module (memory 65537))",
     "memory size must be at most 65536 pages (4GiB)"},
    {"memory max too large", "(module (memory 0 65537))",
     "memory size must be at most 65536 pages (4GiB)"},
    {"memory min > max", "(module (memory 2 1))", "size minimum must not be greater than maximum"},
    {"imported memory min > max", "(module (import \"m\" \"m\" (memory 2 1)))",
     "size minimum must not be greater than maximum"},
    {"table min > max", "(module (table 2 1 funcref))",
     "size minimum must not be greater than maximum"},
    {"multiple memories", "(module (import \"m\" \"m\" (memory 1)) (memory 1))",
     "multiple memories"},
    {"multiple tables are fine", "(module (table 1 funcref) (table 1 externref))", kValid},
};

// Vector instructions (Spec 3.3.3, 3.3.7 for v128 memory operators) and v128 everywhere.
const Case kSimd[] = {
    {"v128 param, local, result",
     "(module (func (param v128) (result v128) (local v128) local.get 0 local.set 1 local.get 1))",
     kValid},
    {"v128 block result",
     "(module (func (result v128) (block (result v128) v128.const i64x2 1 2)))", kValid},
    {"v128 global with v128.const", "(module (global (mut v128) (v128.const f32x4 1 2 3 4)))",
     kValid},
    {"v128 global with an i32 initializer", "(module (global v128 (i32.const 0)))",
     "type mismatch"},
    {"i32 global with v128.const", "(module (global i32 (v128.const i32x4 0 0 0 0)))",
     "type mismatch"},
    {"v128 global from an imported v128 global",
     "(module (import \"m\" \"g\" (global v128)) (global v128 (global.get 0)))", kValid},
    {"binary op",
     "(module (func (result v128) v128.const i32x4 1 2 3 4 v128.const i32x4 0 0 0 0 "
     "i32x4.add))",
     kValid},
    {"binary op on i32", "(module (func (result v128) i32.const 0 i32.const 0 i32x4.add))",
     "type mismatch"},
    {"shift takes an i32 count",
     "(module (func (result v128) v128.const i64x2 0 0 i32.const 3 i64x2.shl))", kValid},
    {"shift with an i64 count",
     "(module (func (result v128) v128.const i64x2 0 0 i64.const 3 i64x2.shl))", "type mismatch"},
    {"bitselect takes three vectors",
     "(module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 "
     "v128.bitselect))",
     kValid},
    {"all_true gives i32", "(module (func (param v128) (result i32) local.get 0 i16x8.all_true))",
     kValid},
    {"splat of f64", "(module (func (result v128) f64.const 1 f64x2.splat))", kValid},
    {"splat of the wrong scalar", "(module (func (result v128) f32.const 1 f64x2.splat))",
     "type mismatch"},
    {"extract_lane last lane",
     "(module (func (param v128) (result i32) local.get 0 "
     "i8x16.extract_lane_u 15))",
     kValid},
    {"extract_lane out of range",
     "(module (func (param v128) (result i32) local.get 0 "
     "i8x16.extract_lane_s 16))",
     "invalid lane index"},
    {"i64x2.extract_lane 2",
     "(module (func (param v128) (result i64) local.get 0 "
     "i64x2.extract_lane 2))",
     "invalid lane index"},
    {"f32x4.replace_lane 3",
     "(module (func (param v128) (result v128) local.get 0 f32.const 0 "
     "f32x4.replace_lane 3))",
     kValid},
    {"f32x4.replace_lane 4",
     "(module (func (param v128) (result v128) local.get 0 f32.const 0 "
     "f32x4.replace_lane 4))",
     "invalid lane index"},
    {"i16x8.replace_lane with an i64",
     "(module (func (param v128) (result v128) local.get 0 "
     "i64.const 0 i16x8.replace_lane 0))",
     "type mismatch"},
    {"shuffle lanes up to 31",
     "(module (func (param v128) (result v128) local.get 0 local.get 0 "
     "i8x16.shuffle 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16))",
     kValid},
    {"shuffle lane 32",
     "(module (func (param v128) (result v128) local.get 0 local.get 0 "
     "i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32))",
     "invalid lane index"},
    {"v128.load align 16",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load align=16))",
     kValid},
    {"v128.load align 32",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load align=32))",
     "alignment must not be larger than natural"},
    {"v128.load without memory", "(module (func (result v128) i32.const 0 v128.load))",
     "unknown memory 0"},
    {"v128.store", "(module (memory 1) (func i32.const 0 v128.const i64x2 0 0 v128.store))",
     kValid},
    {"v128.store operands swapped",
     "(module (memory 1) (func v128.const i64x2 0 0 i32.const 0 v128.store))", "type mismatch"},
    {"v128.load32_splat align 4",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load32_splat align=4))",
     kValid},
    {"v128.load32_splat align 8",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load32_splat align=8))",
     "alignment must not be larger than natural"},
    {"v128.load8x8_s align 8",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load8x8_s align=8))",
     kValid},
    {"v128.load16x4_u align 16",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load16x4_u align=16))",
     "alignment must not be larger than natural"},
    {"v128.load64_zero align 16",
     "(module (memory 1) (func (result v128) i32.const 0 "
     "v128.load64_zero align=16))",
     "alignment must not be larger than natural"},
    {"v128.load16_lane last lane, align 2",
     "(module (memory 1) (func (param v128) (result v128) i32.const 0 local.get 0 "
     "v128.load16_lane align=2 7))",
     kValid},
    {"v128.load16_lane align 4",
     "(module (memory 1) (func (param v128) (result v128) "
     "i32.const 0 local.get 0 v128.load16_lane align=4 0))",
     "alignment must not be larger than natural"},
    {"v128.load16_lane lane 8",
     "(module (memory 1) (func (param v128) (result v128) "
     "i32.const 0 local.get 0 v128.load16_lane 8))",
     "invalid lane index"},
    {"v128.store64_lane lane 1",
     "(module (memory 1) (func (param v128) i32.const 0 local.get 0 v128.store64_lane 1))", kValid},
    {"v128.store64_lane lane 2",
     "(module (memory 1) (func (param v128) i32.const 0 local.get 0 v128.store64_lane 2))",
     "invalid lane index"},
    {"v128.store8_lane align 2",
     "(module (memory 1) (func (param v128) i32.const 0 local.get 0 v128.store8_lane align=2 0))",
     "alignment must not be larger than natural"},
    {"v128.store8_lane has no result",
     "(module (memory 1) (func (param v128) (result v128) i32.const 0 local.get 0 "
     "v128.store8_lane 0))",
     "type mismatch"},
    {"select on v128",
     "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 i32.const 1 select))",
     kValid},
    {"select v128 with i32",
     "(module (func (param v128) (result v128) local.get 0 i32.const 0 "
     "i32.const 1 select))",
     "type mismatch"},
    {"typed select on v128",
     "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 i32.const 1 "
     "select (result v128)))",
     kValid},
    {"unreachable feeds a vector op", "(module (func (result v128) unreachable i8x16.popcnt))",
     kValid},
    {"unreachable then select with one v128",
     "(module (func (result v128) unreachable v128.const i64x2 0 0 i32.const 1 select))", kValid},
    {"unreachable, known i32 under a vector op",
     "(module (func (result v128) unreachable i32.const 0 i8x16.neg))", "type mismatch"},
    {"v128 where i32 is expected", "(module (func (param v128) (result i32) local.get 0))",
     "type mismatch"},
};

TEST_CASE("validator: SIMD", "[ref]") {
  for (const Case& c : kSimd) DYNAMIC_SECTION(c.name) {
      Check(c);
    }
}

TEST_CASE("validator: unreachable code and the polymorphic stack", "[ref]") {
  for (const Case& c : kPolymorphic) DYNAMIC_SECTION(c.name) {
      Check(c);
    }
}

TEST_CASE("validator: control instructions", "[ref]") {
  for (const Case& c : kControl) DYNAMIC_SECTION(c.name) {
      Check(c);
    }
}

TEST_CASE("validator: instructions", "[ref]") {
  for (const Case& c : kInstructions) DYNAMIC_SECTION(c.name) {
      Check(c);
    }
}

TEST_CASE("validator: module rules", "[ref]") {
  for (const Case& c : kModule) DYNAMIC_SECTION(c.name) {
      Check(c);
    }
}

// WABT encodes `(select (result))` as the untyped 0x1b, so this one is written in binary:
// (func nop nop i32.const 1 select (vec 0) end) with opcode 0x1c and an empty type vector.
TEST_CASE("validator: typed select with an empty type vector", "[ref]") {
  const std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                                      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: [] -> []
                                      0x03, 0x02, 0x01, 0x00,              // function section
                                      0x0a, 0x0a, 0x01, 0x08, 0x00, 0x01, 0x01, 0x41,
                                      0x01,               // code: nop nop i32.const 1
                                      0x1c, 0x00, 0x0b};  // select (vec 0) end
  Module m = Decode(bytes);
  try {
    Validate(m);
    FAIL("expected invalid");
  } catch (const InvalidError& e) {
    std::string msg = e.what();
    INFO(msg);
    CHECK(msg.rfind("invalid result arity", 0) == 0);
  }
}

TEST_CASE("validator: message carries detail after the spec text", "[ref]") {
  Module m = Decode(testing::WatToWasm("(module (func) (func (result i32) i64.const 0))"));
  try {
    Validate(m);
    FAIL("expected invalid");
  } catch (const InvalidError& e) {
    std::string msg = e.what();
    CHECK(msg.rfind("type mismatch: in function 1 at offset 0x", 0) == 0);
    CHECK(msg.find("expected i32, got i64") != std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::wasm
