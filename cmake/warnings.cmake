# Warnings every target of ours compiles with. Third-party headers come in as SYSTEM.
add_library(notify_warnings INTERFACE)
target_compile_options(notify_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                                                 -UNDEBUG)
