module benchdb.test/slowmod

go 1.25
