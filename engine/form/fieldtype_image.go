package form

// image is an attachment of pictures (member photos, store displays,
// receipts) shown as thumbnails; it accepts the raster formats browsers
// and WeChat display unless the form says otherwise.
func init() {
	registerType(&fileType{
		defaultAccept: []string{"image/jpeg", "image/png", "image/webp", "image/gif"},
		typeSpec: newSpec("image", "图片", "Image", "upload.image", "media", fileConfig,
			`{"key": "photos", "type": "image", "label": {"zh-CN": "门店陈列照片", "en": "Display photos"}, "maxFiles": 9, "maxSize": 10485760}`),
	})
}
