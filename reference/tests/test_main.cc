// test_main.cc: Catch2 v2 entry point for the reference/ unit tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
