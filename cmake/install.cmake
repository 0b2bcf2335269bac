# The C++ package: `cmake --install <build> --component cpp --prefix <dir>`
# installs kiln's headers (include/kiln/<folder>/..., included as in the
# sources: "runtime/module.h"), its static libraries, kiln_worker (the process
# the tuner compiles and runs candidates in) and a CMake package, so that
# another project writes
#
#   find_package(kiln REQUIRED)              # or COMPONENTS runtime
#   target_link_libraries(app PRIVATE kiln::kiln)      # define, tune, build
#   target_link_libraries(deploy PRIVATE kiln::runtime) # load_module, call
#
# Everything here is in the component `cpp`, so that the Python wheel, which
# installs only the component `python` (pyproject.toml), gets none of it.
include(CMakePackageConfigHelpers)

set(KILN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/kiln)
set(KILN_WORKER_DIR ${CMAKE_INSTALL_LIBEXECDIR}/kiln)

# kiln::kiln: every library of the compiler and the tuner.
add_library(kiln_all INTERFACE)
target_link_libraries(kiln_all INTERFACE kiln_search)
# The libraries are static, so the tuner in them is linked into the user's
# program and cannot find kiln_worker beside itself: the package compiles
# cmake/kiln_worker_location.cc into that program, which tells it where the
# installed kiln_worker is (search/worker_process.cc).
target_sources(kiln_all INTERFACE
               "$<INSTALL_INTERFACE:$<INSTALL_PREFIX>/${CMAKE_INSTALL_DATADIR}/kiln/kiln_worker_location.cc>")
target_compile_definitions(kiln_all INTERFACE
  "$<INSTALL_INTERFACE:KILN_INSTALLED_WORKER=\"$<INSTALL_PREFIX>/${KILN_WORKER_DIR}/kiln_worker\">")
add_library(kiln::kiln ALIAS kiln_all)
add_library(kiln::runtime ALIAS kiln_runtime)

set(kiln_exported_libraries kiln_ir kiln_workloads kiln_schedule kiln_runtime kiln_target
    kiln_passes kiln_codegen kiln_cost_model kiln_search)
foreach(library ${kiln_exported_libraries})
  string(REGEX REPLACE "^kiln_" "" short_name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${short_name})
endforeach()
set_target_properties(kiln_options PROPERTIES EXPORT_NAME options)
set_target_properties(kiln_all PROPERTIES EXPORT_NAME kiln)
set_target_properties(kiln_worker PROPERTIES EXPORT_NAME worker)

install(TARGETS kiln_options kiln_all ${kiln_exported_libraries} kiln_worker
        EXPORT kilnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT cpp
        RUNTIME DESTINATION ${KILN_WORKER_DIR} COMPONENT cpp)
install(EXPORT kilnTargets NAMESPACE kiln:: DESTINATION ${KILN_CMAKE_DIR} COMPONENT cpp)

set(kiln_header_folders ir schedule codegen runtime search cost_model workloads)
list(TRANSFORM kiln_header_folders PREPEND ${PROJECT_SOURCE_DIR}/)
install(DIRECTORY ${kiln_header_folders} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kiln
        COMPONENT cpp
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_SOURCE_DIR}/cmake/kiln_worker_location.cc
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kiln COMPONENT cpp)

# What the package config needs to find the libraries kiln links.
set(KILN_WITH_XGBOOST ${xgboost_FOUND})
get_target_property(codegen_definitions kiln_codegen INTERFACE_COMPILE_DEFINITIONS)
if("KILN_WITH_NVRTC=1" IN_LIST codegen_definitions)
  set(KILN_NVRTC_LIBRARY ${CUDA_nvrtc_LIBRARY})
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kilnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/kilnConfig.cmake
                              INSTALL_DESTINATION ${KILN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kilnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kilnConfig.cmake ${PROJECT_BINARY_DIR}/kilnConfigVersion.cmake
        DESTINATION ${KILN_CMAKE_DIR} COMPONENT cpp)
