# Use ccache when it is installed: builds on two cores are slow, rebuilds must not be.
# The sloppiness settings let ccache serve translation units built with a precompiled header;
# the base directory makes paths relative, so clones in other folders share the cache.
find_program(AES_CCACHE ccache)
if(AES_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}
        ${AES_CCACHE})
    message(STATUS "ccache: ${AES_CCACHE}")
endif()
