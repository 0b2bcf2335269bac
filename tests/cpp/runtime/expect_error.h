// EXPECT_RUNTIME_ERROR(statement, "part", ...): the statement throws a
// RuntimeError whose message contains every part. The runtime's messages are
// part of its interface, so the tests check what they say.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "runtime/error.h"

#define EXPECT_RUNTIME_ERROR(statement, ...)                            \
  do {                                                                  \
    try {                                                               \
      statement;                                                        \
      ADD_FAILURE() << "no RuntimeError from " #statement;              \
    } catch (const ::kiln::runtime::RuntimeError& e) {                  \
      for (const char* part : {__VA_ARGS__})                            \
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)  \
            << "the message lacks \"" << part << "\":\n  " << e.what(); \
    }                                                                   \
  } while (0)
