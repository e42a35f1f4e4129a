module example.com/whymod

go 1.26
