package api

// SetMaxXLSXUpload changes the .xlsx import bound for a test and returns
// the function that restores it.
func SetMaxXLSXUpload(n int64) (restore func()) {
	old := maxXLSXUpload
	maxXLSXUpload = n
	return func() { maxXLSXUpload = old }
}
