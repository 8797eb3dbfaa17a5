// Package pgtest gives tests a throwaway PostgreSQL database: NewDatabase
// creates one with a random name on the server named by
// GATEHOUSE_TEST_POSTGRES and drops it when the test ends, so that test
// runs never see each other's data.
package pgtest
